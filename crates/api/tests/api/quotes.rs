//! Quotes within budget: concurrent lookups of a symbol share one Finnhub call, unknown
//! symbols are remembered, each user has a per-minute allowance of symbols, and the server's
//! calls per minute are capped across replicas with a share kept for the game.

use std::time::Duration;

use api::cli::Options;
use api::clock::SystemClock;
use reqwest::{Response, StatusCode};
use serde_json::json;

use crate::helpers::finnhub::{FakeFinnhub, TOKEN};
use crate::helpers::{create_staff, json_of, test_options, Backend, TestApp, TestDb, PASSWORD};

async fn database(backend: Backend) -> TestDb {
    tokio::task::spawn_blocking(move || TestDb::new(backend))
        .await
        .unwrap()
}

/// A server on `db` with market data from `finnhub`, settings adjusted by `configure`.
fn server(db: TestDb, finnhub: &FakeFinnhub, configure: impl FnOnce(&mut Options)) -> TestApp {
    let mut options = test_options(&db.url);
    options.quotes.finnhub_url = finnhub.url.clone();
    configure(&mut options);
    TestApp::spawn_game(db, options, Some(TOKEN), std::sync::Arc::new(SystemClock))
}

async fn quotes(app: &TestApp, access: &str, symbols: &str) -> Response {
    app.get(&format!("/api/quotes/?symbols={symbols}"), Some(access))
        .await
}

/// The seconds a 429 says to wait, after checking its shape.
async fn throttled(response: Response) -> u64 {
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|value| value.to_str().unwrap().parse::<u64>().unwrap());
    let body = json_of(response, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(body["code"], "throttled", "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("seconds"),
        "{body}"
    );
    let retry_after = retry_after.expect("a Retry-After header");
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    retry_after
}

async fn concurrent_identical_requests_make_one_upstream_call(backend: Backend) {
    let finnhub = FakeFinnhub::start(&[("SPY", "471.25")]);
    finnhub.set_delay(Duration::from_millis(400));
    let app = server(database(backend).await, &finnhub, |_| {});
    let (ann, bob) = (app.user("ann").await, app.user("bob").await);
    let requests = (0..10).map(|i| {
        let access = if i % 2 == 0 { &ann.access } else { &bob.access };
        quotes(&app, access, "SPY")
    });
    for response in futures_util::future::join_all(requests).await {
        let body = json_of(response, StatusCode::OK).await;
        assert_eq!(body["quotes"]["SPY"]["price"], "471.25");
    }
    assert_eq!(finnhub.hits("SPY"), 1, "ten concurrent requests, one call");
}

async fn unknown_symbols_are_remembered_as_unknown(backend: Backend) {
    let finnhub = FakeFinnhub::start(&[("SPY", "471.25")]);
    // Known quotes are not reused at all here, so only the unknown cache can save a call.
    let app = server(database(backend).await, &finnhub, |options| {
        options.quotes.quote_cache_secs = 0;
    });
    let user = app.user("ann").await;
    for _ in 0..3 {
        let body = json_of(quotes(&app, &user.access, "SPY,ZZZZ").await, StatusCode::OK).await;
        assert_eq!(body["unknown"], json!(["ZZZZ"]));
    }
    assert_eq!(finnhub.hits("SPY"), 3);
    assert_eq!(
        finnhub.hits("ZZZZ"),
        1,
        "an unknown symbol is asked about once"
    );
}

async fn each_user_has_an_allowance_of_symbols_per_minute(backend: Backend) {
    let finnhub = FakeFinnhub::start(&[("AAA", "1"), ("BBB", "2"), ("CCC", "3"), ("DDD", "4")]);
    let app = server(database(backend).await, &finnhub, |options| {
        options.user_quotes.quote_user_symbols_per_minute = 3;
    });
    let (ann, bob) = (app.user("ann").await, app.user("bob").await);
    json_of(quotes(&app, &ann.access, "AAA,BBB").await, StatusCode::OK).await;
    throttled(quotes(&app, &ann.access, "CCC,DDD").await).await;
    assert_eq!(
        finnhub.hits("CCC"),
        1,
        "the allowance left covered one symbol"
    );
    assert_eq!(finnhub.hits("DDD"), 0, "the one beyond it was not fetched");

    let cached = json_of(quotes(&app, &ann.access, "AAA,CCC").await, StatusCode::OK).await;
    assert_eq!(
        cached["quotes"]["CCC"]["price"], "3",
        "cached symbols cost nothing"
    );
    let other = json_of(quotes(&app, &bob.access, "DDD").await, StatusCode::OK).await;
    assert_eq!(
        other["quotes"]["DDD"]["price"], "4",
        "another user has their own allowance"
    );
    assert_eq!(finnhub.total_hits(), 4);
}

async fn the_call_cap_holds_across_replicas_and_the_game_is_served_first(backend: Backend) {
    let finnhub = FakeFinnhub::start(&[
        ("AAA", "1"),
        ("BBB", "2"),
        ("CCC", "3"),
        ("DDD", "4"),
        ("GME", "20"),
        ("AMC", "5"),
    ]);
    let db = database(backend).await;
    let url = db.url.clone();
    let budget = |options: &mut Options| {
        options.quotes.finnhub_calls_per_minute = 4;
        options.user_quotes.finnhub_game_reserve = 2;
    };
    let first = server(db, &finnhub, budget);
    let second = server(TestDb::external(url.clone()), &finnhub, budget);
    let ann = first.user("ann").await;
    let bob = second.user("bob").await;

    throttled(quotes(&first, &ann.access, "AAA,BBB,CCC").await).await;
    assert_eq!(
        finnhub.total_hits(),
        2,
        "users get the calls beyond the game's reserve"
    );
    throttled(quotes(&second, &bob.access, "DDD").await).await;
    assert_eq!(
        finnhub.total_hits(),
        2,
        "the other replica draws on the same budget"
    );

    // Staff open a week from Finnhub's prices: the reserve is the game's.
    let staff_name = "boss";
    let staff_url = url.clone();
    tokio::task::spawn_blocking(move || create_staff(&staff_url, staff_name))
        .await
        .unwrap();
    let staff = json_of(first.login(staff_name, PASSWORD).await, StatusCode::OK).await;
    let staff = staff["access"].as_str().unwrap();
    for ticker in ["GME", "AMC"] {
        let body = json!({"ticker": ticker, "sunday": "2030-01-06"});
        json_of(
            first
                .post("/api/wallstreet/options/", Some(staff), body)
                .await,
            StatusCode::CREATED,
        )
        .await;
    }
    let week = json_of(
        second
            .post(
                "/api/wallstreet/weeks/2030-01-06/open/",
                Some(staff),
                json!({}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(week["options"][0]["start_price"], "20.0000", "{week}");
    assert_eq!(week["options"][1]["start_price"], "5.0000", "{week}");
    assert_eq!(
        finnhub.total_hits(),
        4,
        "never more than the cap in a minute"
    );
}

crate::per_backend!(
    concurrent_identical_requests_make_one_upstream_call,
    unknown_symbols_are_remembered_as_unknown,
    each_user_has_an_allowance_of_symbols_per_minute,
    the_call_cap_holds_across_replicas_and_the_game_is_served_first,
);
