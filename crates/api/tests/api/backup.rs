//! `api backup` against the real binary: a consistent copy of a SQLite database taken while
//! the api keeps writing to it, which a new server then serves as it was; on PostgreSQL the
//! command points to pg_dump and exits 2.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{json, Value};
use test_support::process::clean_command;
use test_support::servers::ApiServer;

use crate::helpers::{api_binary, Backend, TestDb, PASSWORD};

fn backup(db_url: &str, output: &std::path::Path) -> std::process::Output {
    clean_command(env!("CARGO_BIN_EXE_api"))
        .env("DATABASE_URL", db_url)
        .arg("backup")
        .arg("--output")
        .arg(output)
        .output()
        .unwrap()
}

fn token(server: &ApiServer) -> String {
    let client = reqwest::blocking::Client::new();
    let credentials = json!({"username": "keeper", "password": PASSWORD});
    let registered = client
        .post(server.url("/api/users/"))
        .json(&credentials)
        .send()
        .unwrap();
    assert!(matches!(
        registered.status(),
        StatusCode::CREATED | StatusCode::BAD_REQUEST
    ));
    let tokens: Value = client
        .post(server.url("/api/token/"))
        .json(&credentials)
        .send()
        .unwrap()
        .json()
        .unwrap();
    tokens["access"].as_str().unwrap().to_owned()
}

fn ledger_len(server: &ApiServer, token: &str) -> usize {
    let list: Value = reqwest::blocking::Client::new()
        .get(server.url("/api/transactions/"))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    list.as_array().unwrap().len()
}

#[test]
fn a_live_sqlite_database_is_copied_consistently_while_it_is_written() {
    let db = TestDb::new(Backend::Sqlite);
    let server = api_binary(&db.url, &[]);
    let access = token(&server);
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let (url, access, writing) = (
            server.url("/api/transactions/"),
            access.clone(),
            writing.clone(),
        );
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::new();
            let mut written = 0;
            while writing.load(Ordering::Relaxed) || written < 20 {
                let body = json!({"type": "BUY", "ticker": "BKP", "date": "2024-01-02", "quantity": "1", "price": "10"});
                let status = client
                    .post(&url)
                    .bearer_auth(&access)
                    .json(&body)
                    .send()
                    .unwrap()
                    .status();
                assert_eq!(status, StatusCode::CREATED);
                written += 1;
            }
            written
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.sqlite3");
    let output = backup(&db.url, &copy);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Backed up"));
    writing.store(false, Ordering::Relaxed);
    let written = writer.join().unwrap();

    let again = backup(&db.url, &copy);
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );

    let restored = api_binary(&format!("sqlite://{}", copy.display()), &[]);
    let access = token(&restored);
    let kept = ledger_len(&restored, &access);
    assert!(0 < kept && kept <= written, "{kept} of {written}");
    assert_eq!(
        ledger_len(&server, &token(&server)),
        written,
        "the live database kept every write"
    );
}

#[test]
fn on_postgres_backup_points_to_pg_dump_and_exits_2() {
    let db = TestDb::new(Backend::Postgres);
    let dir = tempfile::tempdir().unwrap();
    let output = backup(&db.url, &dir.path().join("x"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));
}
