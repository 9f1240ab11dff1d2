//! `GET /metrics`: Prometheus' text format, valid by `promtool check metrics`, with counters
//! that move as the api works.

use reqwest::StatusCode;
use serde_json::json;
use test_support::promtool::promtool_accepts;

use crate::helpers::finnhub::{FakeFinnhub, TOKEN};
use crate::helpers::{test_options, Backend, TestApp, TestDb, PASSWORD};

/// The api's metrics, after checking the response and that promtool accepts the text.
pub async fn scrape(app: &TestApp) -> String {
    let response = app.get("/metrics", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    promtool_accepts(&text);
    text
}

/// The value of the sample `series` (`name{label="value",...}` exactly as exposed), or 0 when
/// it is not exposed yet.
pub fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            (name == series).then(|| value.parse().unwrap())
        })
        .unwrap_or(0.0)
}

async fn requests_are_counted_by_route_template_method_and_status(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.user("ann").await;
    let before = scrape(&app).await;
    let holding = json!({"ticker": "AAA", "shares": "2", "costbasis": "9", "buy": "2024-01-02"});
    let created = app.post("/api/assets/", Some(&user.access), holding).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    for id in [1_000_001, 1_000_002] {
        let missing = app
            .get(&format!("/api/assets/{id}/"), Some(&user.access))
            .await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(
        app.get("/portfolio/api/assets/", Some(&user.access))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.login("ann", "not the password").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/no/such/page", None).await.status(),
        StatusCode::NOT_FOUND
    );
    let after = scrape(&app).await;

    let moved = |series: &str| sample(&after, series) - sample(&before, series);
    assert_eq!(
        moved(r#"api_http_requests_total{method="POST",route="/api/assets",status="201"}"#),
        1.0
    );
    // Ids do not make a series each: both misses are one route template.
    assert_eq!(
        moved(r#"api_http_requests_total{method="GET",route="/api/assets/{id}",status="404"}"#),
        2.0
    );
    assert_eq!(
        moved(
            r#"api_http_requests_total{method="GET",route="/portfolio/api/assets",status="200"}"#
        ),
        1.0
    );
    assert_eq!(
        moved(r#"api_http_requests_total{method="GET",route="unmatched",status="404"}"#),
        1.0
    );
    assert_eq!(
        moved(r#"api_http_request_duration_seconds_count{method="POST",route="/api/assets"}"#),
        1.0
    );
    assert_eq!(moved("api_login_failures_total"), 1.0);
    assert!(!after.contains("/api/assets/1000001"), "{after}");

    // The pool: its size, and the waits of the checkouts these requests made.
    assert_eq!(
        sample(&after, "api_db_pool_max_connections"),
        f64::from(test_options(app.database_url()).database.database_pool_size)
    );
    assert!(sample(&after, r#"api_db_pool_connections{state="idle"}"#) >= 1.0);
    assert!(moved("api_db_pool_wait_seconds_count") >= 4.0, "{after}");
}

async fn rate_limit_rejections_are_counted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.register("bob", PASSWORD).await;
    let before = scrape(&app).await;
    let mut throttled = 0;
    for _ in 0..12 {
        if app.login("bob", "wrong password").await.status() == StatusCode::TOO_MANY_REQUESTS {
            throttled += 1;
        }
    }
    assert!(throttled > 0, "the login throttle never answered 429");
    let after = scrape(&app).await;
    let moved = |series: &str| sample(&after, series) - sample(&before, series);
    assert_eq!(
        moved(r#"api_rate_limit_rejections_total{route="/api/token"}"#),
        f64::from(throttled)
    );
    assert_eq!(moved("api_login_failures_total"), f64::from(12 - throttled));
}

async fn quote_cache_lookups_and_finnhub_calls_are_counted(backend: Backend) {
    let finnhub = FakeFinnhub::start(&[("SPY", "471.25")]);
    let db = tokio::task::spawn_blocking(move || TestDb::new(backend))
        .await
        .unwrap();
    let mut options = test_options(&db.url);
    options.quotes.finnhub_url = finnhub.url.clone();
    let app = TestApp::spawn_game(
        db,
        options,
        Some(TOKEN),
        std::sync::Arc::new(api::clock::SystemClock),
    );
    let user = app.user("ann").await;
    for _ in 0..2 {
        let quotes = app
            .get("/api/quotes/?symbols=SPY", Some(&user.access))
            .await;
        assert_eq!(quotes.status(), StatusCode::OK);
    }
    let text = scrape(&app).await;
    assert_eq!(
        sample(
            &text,
            r#"api_market_cache_lookups_total{cache="quotes",result="miss"}"#
        ),
        1.0
    );
    assert_eq!(
        sample(
            &text,
            r#"api_market_cache_lookups_total{cache="quotes",result="hit"}"#
        ),
        1.0
    );
    assert_eq!(
        sample(
            &text,
            r#"api_finnhub_requests_total{endpoint="quote",outcome="200"}"#
        ),
        finnhub.total_hits() as f64
    );
    assert!(finnhub.total_hits() >= 1);
}

crate::per_backend!(
    requests_are_counted_by_route_template_method_and_status,
    rate_limit_rejections_are_counted,
    quote_cache_lookups_and_finnhub_calls_are_counted,
);
