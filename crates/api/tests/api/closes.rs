//! The daily closes store: `api import-closes FILE`, and the scheduler recording each trading
//! day's closes of every symbol held or watched, once across replicas.

use std::time::Duration;

use api::models::closes::{self, DailyClose};
use chrono::{DateTime, NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::json;
use test_support::process::clean_command;

use crate::helpers::clock::ManualClock;
use crate::helpers::finnhub::{FakeFinnhub, TOKEN};
use crate::helpers::{db_pool, json_of, test_options, Backend, TestApp, TestDb};

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// The stored closes of `symbols` in January 2030 and earlier (blocking).
fn stored(url: &str, symbols: &[&str]) -> Vec<DailyClose> {
    let symbols: Vec<String> = symbols.iter().map(|s| s.to_string()).collect();
    closes::between(
        &mut db_pool(url).get().unwrap(),
        &symbols,
        day("2000-01-01"),
        day("2030-01-31"),
    )
    .unwrap()
}

fn import_closes(url: &str, file: &std::path::Path) -> std::process::Output {
    let dir = file.parent().unwrap();
    clean_command(env!("CARGO_BIN_EXE_api"))
        .current_dir(dir)
        .arg("import-closes")
        .arg(file)
        .env("DATABASE_URL", url)
        .output()
        .expect("run api import-closes")
}

fn import_closes_loads_a_file_all_or_nothing(backend: Backend) {
    let db = TestDb::new(backend);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("closes.csv");
    std::fs::write(
        &file,
        "\u{feff}Symbol,Date,Close\r\nspy,2024-01-02,472.65\r\nSPY,2024-01-03,468.79\r\nVTI,2024-01-02,\"237.5\"\r\n",
    )
    .unwrap();
    let output = import_closes(&db.url, &file);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("Imported 3 closes of 2 symbols"),
        "{stdout}"
    );
    let rows = stored(&db.url, &["SPY", "VTI"]);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].close.0.to_string(), "472.6500");

    std::fs::write(
        &file,
        "symbol,date,close\nSPY,2024-01-02,1\nSPY,2024-01-04,-3\nQQQ,2024/01/04,400\n",
    )
    .unwrap();
    let refused = import_closes(&db.url, &file);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("line 3") && stderr.contains("line 4"),
        "{stderr}"
    );
    assert_eq!(
        stored(&db.url, &["SPY"])[0].close.0.to_string(),
        "472.6500",
        "nothing of a refused file is written"
    );
}

#[test]
fn import_closes_loads_a_file_all_or_nothing_on_sqlite() {
    import_closes_loads_a_file_all_or_nothing(Backend::Sqlite);
}

#[test]
fn import_closes_loads_a_file_all_or_nothing_on_postgres() {
    import_closes_loads_a_file_all_or_nothing(Backend::Postgres);
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

async fn the_scheduler_records_each_days_closes_once_across_replicas(backend: Backend) {
    let finnhub = FakeFinnhub::start(&[("AAA", "10.5"), ("VTI", "237.5"), ("SPY", "471.25")]);
    // Tuesday 2030-01-08, 15:00 in New York: the quotes are of that day.
    finnhub.set_quote_time(at("2030-01-08T20:00:00Z").timestamp());
    let db = tokio::task::spawn_blocking(move || TestDb::new(backend))
        .await
        .unwrap();
    let url = db.url.clone();
    let clock = ManualClock::new(at("2030-01-08T20:00:00Z"));
    let options = || {
        let mut options = test_options(&url);
        options.quotes.finnhub_url = finnhub.url.clone();
        options.scheduler.wallstreet_scheduler = true;
        // Every recording asks Finnhub, so the count below is the number of recordings.
        options.quotes.quote_cache_secs = 0;
        options
    };
    let first = TestApp::spawn_game(db, options(), Some(TOKEN), clock.clone());
    let second = TestApp::spawn_game(
        TestDb::external(url.clone()),
        options(),
        Some(TOKEN),
        clock.clone(),
    );
    let user = first.user("ann").await;
    let holding = json!({"ticker": "AAA", "shares": "2", "costbasis": "9", "buy": "2024-01-02"});
    json_of(
        first
            .post("/api/assets/", Some(&user.access), holding)
            .await,
        StatusCode::CREATED,
    )
    .await;
    // Opening the watch list starts it with VTI and SPY.
    json_of(
        second.get("/api/watchlist/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;

    // Monday's job has run by now (and found only Tuesday's quotes, so it recorded nothing).
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let before = finnhub.hits("AAA");
    // 16:30 in New York: half an hour after Tuesday's close.
    clock.set(at("2030-01-08T21:30:00Z"));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let url = url.clone();
        let rows = tokio::task::spawn_blocking(move || stored(&url, &["AAA", "VTI", "SPY"]))
            .await
            .unwrap();
        if rows.len() == 3 {
            assert!(rows.iter().all(|row| row.date == day("2030-01-08")));
            let aaa = rows.iter().find(|row| row.symbol == "AAA").unwrap();
            assert_eq!(aaa.close.0.to_string(), "10.5000");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "closes not recorded: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        finnhub.hits("AAA"),
        before + 1,
        "one replica recorded the day, once"
    );
}

crate::per_backend!(the_scheduler_records_each_days_closes_once_across_replicas);
