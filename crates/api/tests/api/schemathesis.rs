//! Schema fuzzing: schemathesis (from PyPI; `scripts/test` installs it) generates requests for
//! every operation of `/api/openapi.json`, valid and not, and sends them to the real api on
//! each backend, authenticated as a registered user (and, for the staff-only operations, as
//! staff). It fails on any 5xx, a response its schema does not allow, or a status the
//! document does not list. Bounded: a few examples an operation and a time limit per run,
//! generated deterministically so a failure comes back on the next run.

use std::process::Command;
use std::sync::Arc;

use api::clock::SystemClock;

use crate::helpers::finnhub::{FakeFinnhub, TOKEN};
use crate::helpers::{create_staff, test_options, Backend, TestApp, TestDb, PASSWORD};

/// The version `scripts/test` installs.
const VERSION: &str = "4.32.5";
/// Operations only staff may call; the user's run leaves them to the staff's.
const STAFF_ONLY: &str = "^(options_create|week_open|week_close)$";

fn installed() {
    let version = Command::new("schemathesis").arg("--version").output();
    let found = version
        .as_ref()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default();
    assert!(
        found.contains(VERSION),
        "schemathesis {VERSION} is not installed (found: {found:?}): \
         `python3 -m pip install schemathesis=={VERSION}` (scripts/test installs it)"
    );
}

/// One schemathesis run over the operations `filter` selects, as the bearer of `token`.
fn fuzz(app_url: &str, token: &str, filter: [&str; 2], max_examples: u32, max_secs: u32) {
    // It keeps a cache (.schemathesis/) in its working directory: a scratch one, not the
    // repository.
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let output = Command::new("schemathesis")
        .current_dir(scratch.path())
        .args(["run", &format!("{app_url}/api/openapi.json")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,response_schema_conformance",
        ])
        .args(["--max-examples", &max_examples.to_string()])
        .args(["--max-time", &max_secs.to_string()])
        .arg("--generation-deterministic")
        // The Django aliases are the same handlers as their canonical paths.
        .arg("--exclude-deprecated")
        .args(filter)
        .args(["--header", &format!("Authorization: Bearer {token}")])
        // One worker: hypothesis on Python 3.11 can fail parsing its own sources when two
        // threads do it at once ("AST constructor recursion depth mismatch").
        .args(["--workers", "1", "--request-timeout", "10", "--no-color"])
        .output()
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&output.stdout);
    // Its report of a failure can quote whole tracebacks; the summary and the first problems
    // are enough to start from.
    let shown: String = report.chars().take(20_000).collect();
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{shown}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains("Tested:"), "{report}");
}

async fn schemathesis_finds_no_problem(backend: Backend) {
    installed();
    // Quotes need a market-data source; a local one that knows a few tickers.
    let finnhub = FakeFinnhub::start(&[("SPY", "412.50"), ("VTI", "230.10"), ("AAPL", "189.98")]);
    let db = tokio::task::spawn_blocking(move || TestDb::new(backend))
        .await
        .unwrap();
    let mut options = test_options(&db.url);
    options.quotes.finnhub_url = finnhub.url.clone();
    let app = TestApp::spawn_game(db, options, Some(TOKEN), Arc::new(SystemClock));
    let user = app.user("fuzzer").await;
    let url = app.database_url().to_owned();
    tokio::task::spawn_blocking(move || create_staff(&url, "fuzzstaff"))
        .await
        .unwrap();
    let staff = crate::helpers::json_of(
        app.login("fuzzstaff", PASSWORD).await,
        reqwest::StatusCode::OK,
    )
    .await;
    let staff = staff["access"].as_str().unwrap().to_owned();
    let address = app.address.clone();
    tokio::task::spawn_blocking(move || {
        fuzz(
            &address,
            &user.access,
            ["--exclude-operation-id-regex", STAFF_ONLY],
            5,
            80,
        );
        fuzz(
            &address,
            &staff,
            ["--include-operation-id-regex", STAFF_ONLY],
            5,
            25,
        );
    })
    .await
    .unwrap();
}

crate::per_backend!(schemathesis_finds_no_problem);
