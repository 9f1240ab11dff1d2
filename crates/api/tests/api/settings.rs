//! What the `api` binary tells the user when it cannot start: the message names what to fix,
//! on stderr, and the exit code is 1.

use std::path::Path;
use std::process::{Command, Output};

use test_support::process::clean_command;

/// `api serve` with a clean environment (only PATH), run in `dir`.
fn serve(dir: &Path) -> Command {
    let mut command = clean_command(env!("CARGO_BIN_EXE_api"));
    command
        .arg("serve")
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .env("WALLSTREET_SCHEDULER", "false");
    command
}

/// The line `main` prints for the user, beside the log's.
fn user_message(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .find_map(|line| line.strip_prefix("api: "))
        .unwrap_or_else(|| panic!("no `api: ` line in {stderr}"))
        .to_owned()
}

#[test]
fn a_bad_setting_is_named_before_anything_starts() {
    let dir = tempfile::tempdir().unwrap();
    let output = serve(dir.path())
        .env("WALLSTREET_TIMEZONE", "Mars/Olympus_Mons")
        .output()
        .expect("run api");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        user_message(&output),
        r#"WALLSTREET_TIMEZONE "Mars/Olympus_Mons" is not an IANA time zone"#
    );
    assert!(!dir.path().join("data").exists(), "no database was made");
}

#[test]
fn a_taken_address_is_named_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap();
    let output = serve(dir.path())
        .env("API_LISTEN", address.to_string())
        .output()
        .expect("run api");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let message = user_message(&output);
    let prefix = format!("cannot listen on {address}: ");
    assert!(message.starts_with(&prefix), "{message:?}");
    assert!(message.to_lowercase().contains("in use"), "{message:?}");
}
