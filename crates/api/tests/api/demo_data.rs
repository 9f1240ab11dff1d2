//! `api demo-data` as a newcomer runs it, on both backends: the real binary fills an empty
//! database, the server then answers with figures that reconcile with the demo's own ledger
//! (positions after the split, a FIFO realized gain worked from the stored trades, the
//! dividends), the game's scored weeks make a leaderboard of its three players, and a second
//! run, or a run on a database someone uses, is refused without touching it.

use std::process::Output;

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::Value;
use test_support::process::clean_command;

use crate::helpers::{json_of, Backend, TestApp, TestDb, PASSWORD};

const DEMO_PASSWORD: &str = "demo-test-horse-battery";

async fn demo_data(database_url: &str) -> Output {
    demo_data_with(database_url, DEMO_PASSWORD).await
}

async fn demo_data_with(database_url: &str, password: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut command = clean_command(env!("CARGO_BIN_EXE_api"));
    command
        .current_dir(dir.path())
        .env("DATABASE_URL", database_url)
        .env("API_DEMO_PASSWORD", password)
        .arg("demo-data");
    tokio::task::spawn_blocking(move || command.output().expect("run api"))
        .await
        .unwrap()
}

fn decimal(value: &Value) -> Decimal {
    value
        .as_str()
        .unwrap_or_else(|| panic!("{value} is not a decimal string"))
        .parse()
        .unwrap()
}

async fn token(app: &TestApp, username: &str) -> String {
    let login = json_of(app.login(username, DEMO_PASSWORD).await, StatusCode::OK).await;
    login["access"].as_str().unwrap().to_owned()
}

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    json_of(app.get(path, Some(token)).await, StatusCode::OK).await
}

async fn a_lived_in_app_whose_figures_reconcile(backend: Backend) {
    let db = tokio::task::spawn_blocking(move || TestDb::new(backend))
        .await
        .unwrap();
    let url = db.url.clone();
    let written = demo_data(&url).await;
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    assert!(String::from_utf8_lossy(&written.stdout).contains("log in as demo"));

    let app = TestApp::spawn_on(db, |_| {});
    let demo = token(&app, "demo").await;
    let accounts = get(&app, "/api/accounts/", &demo).await;
    let names: Vec<&str> = accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Brokerage", "Retirement"]);

    // What is held: ACME 40 + 20 − 25, WIDG 30 split 4-for-1, BOLT bought and sold out.
    let positions = get(&app, "/api/portfolio/positions/", &demo).await;
    let position = |ticker: &str| {
        positions["positions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["ticker"] == ticker)
            .unwrap_or_else(|| panic!("no {ticker} in {positions}"))
            .clone()
    };
    for (ticker, quantity) in [
        ("ACME", 35),
        ("WIDG", 120),
        ("GLBX", 25),
        ("NOVA", 8),
        ("BOLT", 0),
    ] {
        assert_eq!(
            decimal(&position(ticker)["quantity"]),
            Decimal::from(quantity),
            "{ticker}"
        );
    }

    // ACME's realized gain, worked by hand from the stored trades: the sale of 25 takes them
    // from the first lot (40 shares and its fee), first in, first out.
    let trades = get(&app, "/api/transactions/?ticker=ACME", &demo).await;
    let of = |kind: &str| -> Vec<Value> {
        let mut rows: Vec<Value> = trades
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["type"] == kind)
            .cloned()
            .collect();
        rows.sort_by_key(|t| t["date"].as_str().unwrap().to_owned());
        rows
    };
    let (buys, sells, dividends) = (of("BUY"), of("SELL"), of("DIVIDEND"));
    let first = &buys[0];
    let sale = &sells[0];
    let sold = decimal(&sale["quantity"]);
    let lot_cost = decimal(&first["quantity"]) * decimal(&first["price"]) + decimal(&first["fee"]);
    let cost = lot_cost * sold / decimal(&first["quantity"]);
    let proceeds = sold * decimal(&sale["price"]) - decimal(&sale["fee"]);
    let acme = position("ACME");
    assert_eq!(
        decimal(&acme["realized_gain"]).round_dp(2),
        (proceeds - cost).round_dp(2)
    );
    assert_eq!(
        decimal(&acme["realized_gain"]).round_dp(2),
        "1081.71".parse().unwrap()
    );
    let paid: Decimal = dividends.iter().map(|d| decimal(&d["amount"])).sum();
    assert_eq!(decimal(&acme["dividends"]), paid);
    assert_eq!(paid, "55.20".parse().unwrap());

    // The realized-gains report agrees with the positions, lot by lot.
    let realized = get(&app, "/api/portfolio/realized/", &demo).await;
    let lots: Decimal = realized["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|lot| decimal(&lot["gain"]))
        .sum();
    assert_eq!(lots, decimal(&realized["totals"]["gain"]));
    assert_eq!(lots, decimal(&positions["totals"]["realized_gain"]));

    // Performance runs on the stored closes: a year with money in and a benchmark.
    let performance = get(&app, "/api/portfolio/performance/?benchmark=SPY", &demo).await;
    assert!(
        decimal(&performance["end_value"]) > Decimal::ZERO,
        "{performance}"
    );
    assert!(performance["benchmark"]["twr"].is_string(), "{performance}");

    // Four scored weeks: every player is on the all-time board.
    let board = json_of(
        app.get("/api/wallstreet/leaderboard/", None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(board["count"], 3, "{board}");
    for row in board["results"].as_array().unwrap() {
        assert_eq!(row["weeks_played"], 4, "{row}");
    }

    // A second run is refused, and changes nothing.
    let again = demo_data(&url).await;
    assert_eq!(again.status.code(), Some(1));
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains("already has 3 account(s)"), "{said}");
    let after = get(&app, "/api/portfolio/positions/", &demo).await;
    assert_eq!(after, positions);
}

async fn a_database_in_use_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    json_of(app.register("someone", PASSWORD).await, StatusCode::CREATED).await;
    let refused = demo_data(app.database_url()).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already has 1 account(s)"));
    assert_eq!(
        app.login("demo", DEMO_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("someone", PASSWORD).await.status(),
        StatusCode::OK
    );
}

async fn a_weak_password_is_refused_before_anything_is_written(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let refused = demo_data_with(app.database_url(), "password").await;
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("API_DEMO_PASSWORD: "), "{said}");
    assert_eq!(
        app.login("demo", "password").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Nothing was written, so the demo still goes in afterwards.
    assert!(demo_data(app.database_url()).await.status.success());
}

mod sqlite {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lived_in_app_whose_figures_reconcile() {
        super::a_lived_in_app_whose_figures_reconcile(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_database_in_use_is_refused() {
        super::a_database_in_use_is_refused(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_weak_password_is_refused_before_anything_is_written() {
        super::a_weak_password_is_refused_before_anything_is_written(Backend::Sqlite).await;
    }
}

mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lived_in_app_whose_figures_reconcile() {
        super::a_lived_in_app_whose_figures_reconcile(Backend::Postgres).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_database_in_use_is_refused() {
        super::a_database_in_use_is_refused(Backend::Postgres).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_weak_password_is_refused_before_anything_is_written() {
        super::a_weak_password_is_refused_before_anything_is_written(Backend::Postgres).await;
    }
}
