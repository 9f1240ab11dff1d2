//! The workspace a test runs in: its root folder, its files, and its binaries.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::SystemTime;

/// The workspace root, two levels above the package under test. Read from the
/// `CARGO_MANIFEST_DIR` cargo sets when it runs a test; this crate's compile-time value is only
/// the fallback, because a build shared through one target directory (CI's fresh clone reuses
/// the warm one) can carry another checkout's path.
pub fn root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest
        .ancestors()
        .nth(2)
        .expect("packages live two levels below the workspace root (crates/<name>)")
        .to_path_buf()
}

/// A file of the workspace, by its path from the root.
pub fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// Binaries this test process has already checked (and built if need be).
static CHECKED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// `target/<profile>/<name>`, a binary of this workspace (`api`, `proxy`) in the running
/// test's target directory and profile. When it is missing or older than a source file it was
/// built from, it is built first with `cargo build --package <name>`, so a suite that needs
/// another package's binary never runs a stale one.
///
/// A package's own binary is better named by `env!("CARGO_BIN_EXE_<name>")`: cargo builds it
/// for that package's tests. Building here, with `cargo build`, resolves features for that
/// package alone, so it can compile a second copy of its dependencies; a binary that a
/// workspace-wide `cargo test` has just built is up to date and is not rebuilt.
pub fn binary(name: &str) -> PathBuf {
    let profile_dir = profile_dir();
    let path = profile_dir.join(name);
    let mut checked = CHECKED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !checked.contains(name) {
        if is_stale(&path) {
            build(name, &profile_dir);
        }
        checked.insert(name.to_owned());
    }
    path
}

/// `target/<profile>`: where the running test executable (`target/<profile>/deps/…`) was built.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    exe.parent()
        .and_then(Path::parent)
        .expect("test executables live in target/<profile>/deps")
        .to_path_buf()
}

/// Whether `binary` is missing, or older than a file of this workspace it was built from: the
/// dependency list cargo writes beside it (`<name>.d`), plus `Cargo.lock`. A list naming files
/// outside this checkout comes from another checkout sharing the target directory.
fn is_stale(binary: &Path) -> bool {
    let Ok(built) = std::fs::metadata(binary).and_then(|meta| meta.modified()) else {
        return true;
    };
    let Ok(dep_info) = std::fs::read_to_string(binary.with_extension("d")) else {
        return true;
    };
    let root = root();
    let listed = dep_info
        .split_once(": ")
        .map_or("", |(_, sources)| sources)
        .replace("\\ ", "\u{0}");
    let sources: Vec<PathBuf> = listed
        .split_whitespace()
        .map(|source| PathBuf::from(source.replace('\u{0}', " ")))
        .collect();
    sources.is_empty()
        || sources
            .iter()
            .chain([&root.join("Cargo.lock")])
            .any(|source| {
                !source.starts_with(&root) || modified(source).is_none_or(|time| time > built)
            })
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path)
        .and_then(|meta| meta.modified())
        .ok()
}

/// `cargo build` of one binary into the running test's target directory and profile.
fn build(name: &str, profile_dir: &Path) {
    let profile = match profile_dir.file_name().and_then(|dir| dir.to_str()) {
        Some("debug") => "dev",
        Some(profile) => profile,
        None => panic!("{} names no profile", profile_dir.display()),
    };
    let target_dir = profile_dir.parent().expect("target/<profile>");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    // Cargo describes the package under test to its test process (`CARGO_PKG_NAME=proxy`, …).
    // Handed on, they would reach build scripts that watch them (ring's does) and rebuild
    // those dependencies on every switch between this build and one from a shell.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
        ]
        .iter()
        .any(|prefix| key.starts_with(prefix))
            || ["CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR", "OUT_DIR"].contains(&&*key)
        {
            command.env_remove(&*key);
        }
    }
    let status = command
        .args([
            "build",
            "--package",
            name,
            "--bin",
            name,
            "--profile",
            profile,
        ])
        .arg("--target-dir")
        .arg(target_dir)
        .current_dir(root())
        .status()
        .unwrap_or_else(|err| panic!("cannot run cargo to build {name}: {err}"));
    assert!(status.success(), "building {name} failed");
}
