//! The web UI the proxy serves and its image ships: `web/index.html` and `web/assets/` are
//! generated from `web/src` by `web/fingerprint.mjs` and committed, so serving needs no build
//! step. A source edited without regenerating fails here, in `cargo test`, rather than in a
//! browser.

use std::process::Command;

use test_support::workspace;

const INSTALL: &str = "Node.js is needed to check web/assets against web/src: \
`sudo apt-get install -y --no-install-recommends nodejs` (scripts/test installs it)";

#[test]
fn the_committed_web_assets_are_generated_from_the_current_sources() {
    let output = Command::new("node")
        .arg(workspace::root().join("web/fingerprint.mjs"))
        .arg("--check")
        .output()
        .unwrap_or_else(|err| panic!("{INSTALL} ({err})"));
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
