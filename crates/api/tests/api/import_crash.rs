//! A crash in the middle of a large CSV import: the real binary is killed (SIGKILL) while it
//! writes thousands of rows, restarted on the same database, and the ledger holds all of the
//! file or none of it, never a part.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use test_support::servers::ApiServer;

use crate::helpers::{api_binary, Backend, TestDb, PASSWORD};

const ROWS: usize = 5_000;

/// `ROWS` buys of `ticker`, one a day back from 2020.
fn file(ticker: &str) -> String {
    let mut csv = String::from("type,ticker,date,quantity,price,fee\n");
    let first = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    for day in 0..ROWS {
        let date = first + chrono::Duration::days(day as i64);
        csv.push_str(&format!(
            "BUY,{ticker},{date},1,{}.25,0.10\n",
            10 + day % 90
        ));
    }
    csv
}

fn count(server: &ApiServer, token: &str, ticker: &str) -> usize {
    let body: Value = reqwest::blocking::Client::new()
        .get(server.url(&format!("/api/transactions/?ticker={ticker}")))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    body.as_array().expect("a list").len()
}

fn a_killed_import_leaves_all_rows_or_none(backend: Backend) {
    let db = TestDb::new(backend);
    let mut server = api_binary(&db.url, &[]);
    let client = reqwest::blocking::Client::new();
    let credentials = json!({"username": "crash", "password": PASSWORD});
    let registered = client
        .post(server.url("/api/users/"))
        .json(&credentials)
        .send()
        .unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    let tokens: Value = client
        .post(server.url("/api/token/"))
        .json(&credentials)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = tokens["access"].as_str().unwrap().to_owned();
    // Kill sooner and later, so some runs land while rows are being written.
    for (round, after_ms) in [30u64, 150, 400, 900].into_iter().enumerate() {
        let ticker = format!("CR{round}");
        let url = server.url("/api/transactions/import/");
        let (body, bearer) = (file(&ticker), token.clone());
        let upload = std::thread::spawn(move || {
            reqwest::blocking::Client::new()
                .post(url)
                .bearer_auth(bearer)
                .header("Content-Type", "text/csv")
                .body(body)
                .timeout(Duration::from_secs(30))
                .send()
                .map(|response| response.status())
        });
        std::thread::sleep(Duration::from_millis(after_ms));
        server.process.kill();
        let answered = upload.join().unwrap();
        server = api_binary(&db.url, &[]);
        let kept = count(&server, &token, &ticker);
        assert!(
            kept == 0 || kept == ROWS,
            "round {round} (killed after {after_ms} ms; the client saw {answered:?}): {kept} of {ROWS} rows kept"
        );
        if matches!(answered, Ok(StatusCode::OK)) {
            assert_eq!(kept, ROWS, "an import answered 200 is kept");
        }
    }
}

#[test]
fn a_killed_import_leaves_all_rows_or_none_on_sqlite() {
    a_killed_import_leaves_all_rows_or_none(Backend::Sqlite);
}

#[test]
fn a_killed_import_leaves_all_rows_or_none_on_postgres() {
    a_killed_import_leaves_all_rows_or_none(Backend::Postgres);
}
