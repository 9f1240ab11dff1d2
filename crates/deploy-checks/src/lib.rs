//! Helpers for the deployment tests: where the repository and the built binaries are, and the
//! settings each binary really accepts (read from its `--help`, not from a copy).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root: from the `CARGO_MANIFEST_DIR` cargo sets when it runs the tests. The
/// compile-time value is only the fallback, because a build shared through one target directory
/// (CI's fresh clone reuses the warm one) can carry another checkout's path.
pub fn repo_root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest
        .ancestors()
        .nth(2)
        .expect("crates/deploy-checks lives two levels below the root")
        .to_path_buf()
}

pub fn read(relative: &str) -> String {
    let path = repo_root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// The path of a workspace binary (`api`, `proxy`), built on demand with the same cargo and
/// profile as the running tests.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let path = profile_dir.join(name);
    if !path.is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--package", name, "--bin", name])
            .current_dir(repo_root())
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building {name} failed");
    }
    path
}

/// Every environment variable a binary documents in `--help` (flag-backed `[env: NAME=…]`
/// settings and the environment-only ones listed after them).
pub fn settings_of(name: &str) -> BTreeSet<String> {
    let output = Command::new(binary(name))
        .arg("--help")
        .output()
        .expect("run --help");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    help.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| {
            word.len() > 3
                && word.contains('_')
                && word
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
        .map(str::to_owned)
        .collect()
}

/// Subcommands a binary lists in `--help`.
pub fn has_subcommand(name: &str, subcommand: &str) -> bool {
    let output = Command::new(binary(name))
        .arg("--help")
        .output()
        .expect("run --help");
    String::from_utf8_lossy(&output.stdout).lines().any(|line| {
        line.trim_start().starts_with(&format!("{subcommand} ")) || line.trim() == subcommand
    })
}

/// The port of a `host:port` value.
pub fn port_of(address: &str) -> u16 {
    address
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse().ok())
        .unwrap_or_else(|| panic!("{address:?} has no port"))
}
