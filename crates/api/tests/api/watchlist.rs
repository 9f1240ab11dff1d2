//! The watch list through HTTP: per user on the server, starting with VTI and SPY, each entry
//! with its price, day change and market cap from the server's cached Finnhub client.

use std::sync::Arc;

use api::cli::Options;
use api::clock::SystemClock;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::finnhub::{FakeFinnhub, TOKEN};
use crate::helpers::{json_of, test_options, Backend, TestApp, TestDb};

async fn server(
    backend: Backend,
    finnhub: &FakeFinnhub,
    configure: impl FnOnce(&mut Options),
) -> TestApp {
    let db = tokio::task::spawn_blocking(move || TestDb::new(backend))
        .await
        .unwrap();
    let mut options = test_options(&db.url);
    options.quotes.finnhub_url = finnhub.url.clone();
    configure(&mut options);
    TestApp::spawn_game(db, options, Some(TOKEN), Arc::new(SystemClock))
}

fn market() -> FakeFinnhub {
    let finnhub = FakeFinnhub::start(&[("VTI", "237.5"), ("SPY", "471.25"), ("AAPL", "189.98")]);
    finnhub.set_profile("VTI", "Vanguard Total Stock Market ETF", "380123.25");
    finnhub.set_profile("SPY", "SPDR S&P 500 ETF Trust", "455000");
    finnhub.set_profile("AAPL", "Apple Inc", "2874123.5");
    finnhub
}

async fn tickers(app: &TestApp, access: &str) -> Vec<String> {
    let list = json_of(
        app.get("/api/watchlist/", Some(access)).await,
        StatusCode::OK,
    )
    .await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["ticker"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_new_list_starts_with_vti_and_spy_with_market_data(backend: Backend) {
    let finnhub = market();
    let app = server(backend, &finnhub, |_| {}).await;
    let user = app.user("ann").await;
    assert_eq!(
        app.get("/api/watchlist/", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let list = json_of(
        app.get("/api/watchlist/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        list[0],
        json!({
            "ticker": "VTI",
            "currency": "USD",
            "name": "Vanguard Total Stock Market ETF",
            "price": "237.5",
            "change": "1.5",
            "change_percent": "0.75",
            "market_cap": "380123250000",
            "source": "finnhub",
            "as_of": "2024-01-05",
        })
    );
    assert_eq!(list[1]["ticker"], "SPY");
    assert_eq!(list[1]["market_cap"], "455000000000");
    json_of(
        app.get("/api/watchlist/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        finnhub.profile_hits("VTI"),
        1,
        "profiles are kept for a day"
    );
    assert_eq!(
        finnhub.hits("VTI"),
        1,
        "quotes are kept for QUOTE_CACHE_SECS"
    );
}

async fn tickers_are_added_once_removed_and_stay_removed(backend: Backend) {
    let finnhub = market();
    let app = server(backend, &finnhub, |_| {}).await;
    let (ann, bob) = (app.user("ann").await, app.user("bob").await);
    let added = app
        .post(
            "/api/watchlist/",
            Some(&ann.access),
            json!({"ticker": "aapl"}),
        )
        .await;
    let added = json_of(added, StatusCode::CREATED).await;
    assert_eq!(added["ticker"], "AAPL");
    assert_eq!(added["name"], "Apple Inc");
    assert_eq!(added["price"], "189.98");

    for (body, why) in [
        (json!({"ticker": "AAPL"}), "a duplicate"),
        (json!({"ticker": "ZZZZ"}), "a ticker Finnhub does not know"),
        (json!({"ticker": "BRK/B"}), "not a ticker"),
        (json!({}), "no ticker"),
    ] {
        let refused = app.post("/api/watchlist/", Some(&ann.access), body).await;
        let errors = json_of(refused, StatusCode::BAD_REQUEST).await;
        assert!(errors["ticker"].is_array(), "{why}: {errors}");
    }
    assert_eq!(tickers(&app, &ann.access).await, ["VTI", "SPY", "AAPL"]);
    assert_eq!(
        tickers(&app, &bob.access).await,
        ["VTI", "SPY"],
        "lists are per user"
    );

    assert_eq!(
        app.delete("/api/watchlist/aapl/", Some(&bob.access))
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "someone else's entry"
    );
    for ticker in ["AAPL", "VTI", "spy"] {
        let path = format!("/api/watchlist/{ticker}/");
        assert_eq!(
            app.delete(&path, Some(&ann.access)).await.status(),
            StatusCode::NO_CONTENT
        );
    }
    assert_eq!(
        app.delete("/api/watchlist/AAPL/", Some(&ann.access))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        tickers(&app, &ann.access).await.is_empty(),
        "an emptied list stays empty"
    );
    assert_eq!(tickers(&app, &bob.access).await, ["VTI", "SPY"]);
}

async fn a_list_is_limited_in_size(backend: Backend) {
    let finnhub = market();
    let app = server(backend, &finnhub, |options| {
        options.portfolio.watchlist_max_entries = 3
    })
    .await;
    let user = app.user("ann").await;
    let add = |ticker: &'static str| {
        app.post(
            "/api/watchlist/",
            Some(&user.access),
            json!({ "ticker": ticker }),
        )
    };
    json_of(add("AAPL").await, StatusCode::CREATED).await;
    finnhub.set_price("MSFT", "420");
    let full: Value = json_of(add("MSFT").await, StatusCode::BAD_REQUEST).await;
    assert_eq!(full["code"], "watchlist_full", "{full}");
    assert_eq!(tickers(&app, &user.access).await.len(), 3);
}

crate::per_backend!(
    a_new_list_starts_with_vti_and_spy_with_market_data,
    tickers_are_added_once_removed_and_stay_removed,
    a_list_is_limited_in_size,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_key_or_a_stored_close_entries_have_no_figures() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let user = app.user("ann").await;
    let added = app
        .post(
            "/api/watchlist/",
            Some(&user.access),
            json!({"ticker": "QQQ"}),
        )
        .await;
    assert_eq!(
        json_of(added, StatusCode::CREATED).await["price"],
        Value::Null
    );
    let list = json_of(
        app.get("/api/watchlist/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert_eq!(
        list[2],
        json!({"ticker": "QQQ", "currency": "USD", "name": null, "price": null, "change": null, "change_percent": null, "market_cap": null, "source": null, "as_of": null})
    );
}
