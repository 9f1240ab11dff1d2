//! The portfolio's summary at today's prices and its history against a benchmark, through
//! HTTP on both databases, with figures computed by hand.

use std::sync::Arc;

use api::clock::SystemClock;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::finnhub::{FakeFinnhub, TOKEN};
use crate::helpers::history::FakeHistory;
use crate::helpers::{json_of, keyless_app, test_options, Backend, TestApp, TestDb, TestUser};

async fn database(backend: Backend) -> TestDb {
    tokio::task::spawn_blocking(move || TestDb::new(backend))
        .await
        .unwrap()
}

async fn hold(
    app: &TestApp,
    user: &TestUser,
    ticker: &str,
    shares: &str,
    costbasis: &str,
    buy: &str,
) {
    let body = json!({"ticker": ticker, "shares": shares, "costbasis": costbasis, "buy": buy});
    json_of(
        app.post("/api/assets/", Some(&user.access), body).await,
        StatusCode::CREATED,
    )
    .await;
}

async fn the_summary_values_holdings_exactly_and_lists_unpriced_ones(backend: Backend) {
    // The stub's day change is 1.50 a share for every symbol.
    let finnhub = FakeFinnhub::start(&[("AAA", "12.5"), ("BBB", "99.986")]);
    let db = database(backend).await;
    let mut options = test_options(&db.url);
    options.quotes.finnhub_url = finnhub.url.clone();
    let app = TestApp::spawn_game(db, options, Some(TOKEN), Arc::new(SystemClock));
    let user = app.user("ann").await;
    assert_eq!(
        app.get("/api/portfolio/summary/", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let empty = json_of(
        app.get("/api/portfolio/summary/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(empty["holdings"], json!([]));
    assert_eq!(empty["totals"]["cost"], "0.00");
    assert_eq!(empty["totals"]["market_value"], Value::Null);

    hold(&app, &user, "AAA", "3", "10", "2024-01-02").await;
    hold(&app, &user, "BBB", "2.5", "100.25", "2024-01-03").await;
    hold(&app, &user, "ZZZ", "1", "5", "2024-01-04").await;
    let other = app.user("bob").await;
    hold(&app, &other, "AAA", "1000", "1", "2024-01-02").await;

    let summary = json_of(
        app.get("/api/portfolio/summary/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;
    let holdings = summary["holdings"].as_array().unwrap();
    assert_eq!(holdings.len(), 3, "only the caller's holdings");
    assert_eq!(holdings[0]["ticker"], "AAA");
    assert_eq!(holdings[0]["shares"], "3.00000");
    assert_eq!(holdings[0]["costbasis"], "10.00");
    assert_eq!(holdings[0]["price"], "12.5");
    assert_eq!(holdings[0]["market_value"], "37.50");
    assert_eq!(holdings[0]["gain"], "7.50");
    assert_eq!(holdings[0]["gain_percent"], "25.00");
    assert_eq!(holdings[0]["day_change"], "4.50");
    // 2.5 × 99.986 = 249.965 and 2.5 × 100.25 = 250.625: half to even, 249.96 and 250.62.
    assert_eq!(holdings[1]["market_value"], "249.96");
    assert_eq!(holdings[1]["cost"], "250.62");
    assert_eq!(holdings[1]["gain"], "-0.66");
    assert_eq!(holdings[1]["gain_percent"], "-0.26");
    assert_eq!(holdings[1]["day_change"], "3.75");
    for field in [
        "price",
        "market_value",
        "gain",
        "gain_percent",
        "day_change",
    ] {
        assert_eq!(holdings[2][field], Value::Null, "ZZZ has no {field}");
    }
    assert_eq!(
        summary["totals"],
        json!({
            "cost": "285.62",
            "market_value": "287.46",
            "gain": "6.84",
            "gain_percent": "2.44",
            "day_change": "8.25",
            "unpriced": 1,
        })
    );
    assert_eq!(summary["allocation_basis"], "market_value");
    assert_eq!(
        summary["allocation"],
        json!([
            {"ticker": "BBB", "shares": "2.5", "value": "249.96", "percent": "86.95"},
            {"ticker": "AAA", "shares": "3", "value": "37.50", "percent": "13.05"},
        ])
    );
}

/// The history fixture: two buys (AAA on Thursday 2024-01-11, BBB on Tuesday 2024-01-16, after
/// a weekend and the Martin Luther King Jr. Day holiday), AAA without data on the 17th.
fn history_server() -> FakeHistory {
    FakeHistory::start(&[
        ("AAA", "2024-01-10", "10.50"),
        ("AAA", "2024-01-11", "11.00"),
        ("AAA", "2024-01-12", "12.00"),
        ("AAA", "2024-01-16", "12.50"),
        ("AAA", "2024-01-18", "13.00"),
        ("BBB", "2024-01-16", "25.00"),
        ("BBB", "2024-01-17", "26.00"),
        ("BBB", "2024-01-18", "24.00"),
        ("SPY", "2024-01-10", "390.00"),
        ("SPY", "2024-01-11", "400.00"),
        ("SPY", "2024-01-12", "410.00"),
        ("SPY", "2024-01-16", "420.00"),
        ("SPY", "2024-01-17", "400.00"),
        ("SPY", "2024-01-18", "440.00"),
        ("VTI", "2024-01-11", "200.00"),
        ("VTI", "2024-01-18", "210.00"),
    ])
}

async fn history_app(backend: Backend, history: &FakeHistory) -> TestApp {
    // Thursday 2024-01-18, after the close in New York.
    keyless_app(backend, history, None, "2024-01-18T22:00:00Z", |options| {
        options.game.wallstreet_holidays = "2024-01-01,2024-01-15".into();
    })
    .await
}

async fn history(app: &TestApp, user: &TestUser, query: &str) -> Value {
    let path = format!("/api/portfolio/history/{query}");
    json_of(app.get(&path, Some(&user.access)).await, StatusCode::OK).await
}

async fn history_follows_hand_computed_figures_and_fetches_each_range_once(backend: Backend) {
    let server = history_server();
    let app = history_app(backend, &server).await;
    let user = app.user("ann").await;
    let empty = history(&app, &user, "").await;
    assert_eq!(
        empty,
        json!({"currency": "USD", "range": "1y", "benchmark": "SPY", "points": []})
    );

    hold(&app, &user, "AAA", "10", "10.00", "2024-01-11").await;
    hold(&app, &user, "BBB", "4", "25.00", "2024-01-16").await;
    let body = history(&app, &user, "?range=max&benchmark=SPY").await;
    assert_eq!(body["range"], "max");
    assert_eq!(body["benchmark"], "SPY");
    // Benchmark: 100.00 into SPY at 400 on the 11th, 100.00 at 420 on the 16th.
    assert_eq!(
        body["points"],
        json!([
            {"date": "2024-01-11", "value": "110.00", "invested": "100.00", "benchmark_value": "100.00"},
            {"date": "2024-01-12", "value": "120.00", "invested": "100.00", "benchmark_value": "102.50"},
            {"date": "2024-01-16", "value": "225.00", "invested": "200.00", "benchmark_value": "205.00"},
            // AAA has no close on the 17th: the 16th's 12.50 holds. 100 × 400 / 420 = 95.238…
            {"date": "2024-01-17", "value": "229.00", "invested": "200.00", "benchmark_value": "195.24"},
            // 110 + 100 × 440 / 420 = 214.761…
            {"date": "2024-01-18", "value": "226.00", "invested": "200.00", "benchmark_value": "214.76"},
        ])
    );
    assert_eq!(server.total_calls(), 3, "one call per symbol");

    let again = history(&app, &user, "?range=1m").await;
    assert_eq!(
        again["points"], body["points"],
        "the month started before the first buy"
    );
    assert_eq!(
        server.total_calls(),
        3,
        "a second request makes no upstream call"
    );

    let vti = history(&app, &user, "?range=max&benchmark=vti").await;
    assert_eq!(vti["benchmark"], "VTI");
    // 100 × 210 / 200 twice (VTI has no close after the 11th before the 18th).
    assert_eq!(vti["points"][4]["benchmark_value"], "210.00");
    assert_eq!(vti["points"][2]["benchmark_value"], "200.00");
    assert_eq!(server.calls("VTI"), 1);
    assert_eq!(
        server.total_calls(),
        4,
        "only the new benchmark was fetched"
    );
}

async fn history_parameters_are_checked(backend: Backend) {
    let server = history_server();
    let app = history_app(backend, &server).await;
    let user = app.user("ann").await;
    for (query, field) in [("?range=2w", "range"), ("?benchmark=BRK%2FB", "benchmark")] {
        let path = format!("/api/portfolio/history/{query}");
        let errors = json_of(
            app.get(&path, Some(&user.access)).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(errors[field].is_array(), "{query}: {errors}");
    }
    assert_eq!(
        app.get("/api/portfolio/history/", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

crate::per_backend!(
    the_summary_values_holdings_exactly_and_lists_unpriced_ones,
    history_follows_hand_computed_figures_and_fetches_each_range_once,
    history_parameters_are_checked,
);
