//! What the deployment tests hold the deployment files against: the settings and subcommands a
//! binary really documents in its `--help` (not a copy of them), and the ports in addresses.
//! The binaries themselves come from `test_support::workspace::binary`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn help(binary: &Path) -> String {
    let output = Command::new(binary)
        .arg("--help")
        .output()
        .unwrap_or_else(|err| panic!("run {} --help: {err}", binary.display()));
    assert!(
        output.status.success(),
        "{} --help failed",
        binary.display()
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every environment variable a binary documents in `--help` (flag-backed `[env: NAME=…]`
/// settings and the environment-only ones listed after them).
pub fn settings_of(binary: &Path) -> BTreeSet<String> {
    help(binary)
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
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

/// Whether a binary lists `subcommand` in `--help`.
pub fn has_subcommand(binary: &Path, subcommand: &str) -> bool {
    help(binary).lines().any(|line| {
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
