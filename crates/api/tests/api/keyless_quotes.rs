//! Prices without `FINNHUB_TOKEN`, on both backends: quotes are the history provider's latest
//! close, marked `source: "close"` with the day they are of; they are kept in the quote cache,
//! paid for from the user's allowance of symbols, and London's pence arrive as pounds. The
//! positions and the watch list carry the same price with its source and day.

use std::str::FromStr;

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::helpers::history::FakeHistory;
use crate::helpers::{json_of, keyless_app, Backend, TestApp};

/// A server with no Finnhub key and Stooq's daily CSV at `history`, on Wednesday
/// 2024-06-12 after the close, allowing each user `symbols_per_minute` fetched symbols.
async fn app(backend: Backend, history: &FakeHistory, symbols_per_minute: u32) -> TestApp {
    keyless_app(backend, history, None, "2024-06-12T22:00:00Z", |options| {
        options.user_quotes.quote_user_symbols_per_minute = symbols_per_minute;
    })
    .await
}

/// `value` as an exact decimal, trailing zeros aside.
fn exact(value: &Value) -> Decimal {
    Decimal::from_str(
        value
            .as_str()
            .unwrap_or_else(|| panic!("not a string: {value}")),
    )
    .unwrap()
    .normalize()
}

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap().normalize()
}

async fn quotes_without_a_key_are_the_latest_closes(backend: Backend) {
    // Stooq's spelling: SPY is spy.us, VOD.L is vod.uk, in pence.
    let history = FakeHistory::start(&[
        ("QQQ", "2024-06-12", "460.25"),
        ("SPY", "2024-06-10", "530.00"),
        ("SPY", "2024-06-11", "532.50"),
        ("SPY", "2024-06-12", "535.1234"),
        ("VOD.UK", "2024-06-11", "71.00"),
        ("VOD.UK", "2024-06-12", "72.34"),
    ]);
    let app = app(backend, &history, 0).await;
    let user = app.user("kim").await;

    let body = json_of(
        app.get("/api/quotes/?symbols=SPY,vod.l,ZZZZ", Some(&user.access))
            .await,
        StatusCode::OK,
    )
    .await;
    let spy = &body["quotes"]["SPY"];
    assert_eq!(spy["source"], "close", "{body}");
    assert_eq!(spy["as_of"], "2024-06-12");
    assert_eq!(exact(&spy["price"]), d("535.1234"));
    assert_eq!(exact(&spy["previous_close"]), d("532.50"));
    assert_eq!(exact(&spy["change"]), d("2.6234"));
    // 2.6234 / 532.50 = 0.492657…%
    assert_eq!(exact(&spy["percent_change"]), d("0.4927"));
    assert!(spy["time"].is_null());
    let vod = &body["quotes"]["VOD.L"];
    assert_eq!(exact(&vod["price"]), d("0.7234"), "pence become pounds");
    assert_eq!(exact(&vod["previous_close"]), d("0.71"));
    assert_eq!(vod["as_of"], "2024-06-12");
    assert_eq!(body["unknown"], json!(["ZZZZ"]));
    assert_eq!(history.calls("SPY"), 1);
    assert_eq!(history.calls("VOD.UK"), 1);

    // Kept: asking again fetches nothing.
    let again = json_of(
        app.get("/api/quotes/?symbols=SPY,VOD.L,ZZZZ", Some(&user.access))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["quotes"]["SPY"]["price"], spy["price"]);
    assert_eq!(history.total_calls(), 3, "SPY, VOD.UK and ZZZZ once each");

    // A holding is priced at the same close, with its source and day.
    let bought = app
        .post(
            "/api/transactions/",
            Some(&user.access),
            json!({"type": "BUY", "ticker": "VOD.L", "date": "2024-06-03", "quantity": "1000", "price": "0.70"}),
        )
        .await;
    assert_eq!(bought.status(), StatusCode::CREATED);
    // In pounds, as no exchange rate is known here.
    let positions = json_of(
        app.get("/api/portfolio/positions/?currency=GBP", Some(&user.access))
            .await,
        StatusCode::OK,
    )
    .await;
    let vod = &positions["positions"][0];
    assert_eq!(vod["ticker"], "VOD.L");
    assert_eq!(exact(&vod["price"]), d("0.7234"));
    assert_eq!(vod["price_source"], "close");
    assert_eq!(vod["price_as_of"], "2024-06-12");
    // 1000 × 0.7234 − 1000 × 0.70 = 23.40, not 100 times that.
    assert_eq!(exact(&vod["unrealized_gain"]), d("23.40"), "{positions}");

    // So is a watched ticker (a new list starts with VTI and SPY); with no profile source its name is unknown.
    let watched = json_of(
        app.post(
            "/api/watchlist/",
            Some(&user.access),
            json!({"ticker": "qqq"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(exact(&watched["price"]), d("460.25"));
    assert_eq!(watched["source"], "close");
    assert_eq!(watched["as_of"], "2024-06-12");
    assert!(watched["name"].is_null());

    // A ticker the history provider lacks can still be watched: it is not a source that knows
    // every listing, so nothing is refused as unknown.
    let paris = json_of(
        app.post(
            "/api/watchlist/",
            Some(&user.access),
            json!({"ticker": "AIR.PA"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert!(
        paris["price"].is_null() && paris["as_of"].is_null(),
        "{paris}"
    );
}

async fn keyless_quotes_are_paid_from_the_users_allowance(backend: Backend) {
    let history = FakeHistory::start(&[
        ("AAA", "2024-06-12", "10"),
        ("BBB", "2024-06-12", "20"),
        ("CCC", "2024-06-12", "30"),
    ]);
    let app = app(backend, &history, 2).await;
    let user = app.user("lee").await;
    let response = app
        .get("/api/quotes/?symbols=AAA,BBB,CCC", Some(&user.access))
        .await;
    assert!(response.headers().contains_key("retry-after"));
    let body = json_of(response, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(body["code"], "throttled");
    assert_eq!(history.calls("CCC"), 0, "the third symbol is not fetched");
    // The two paid for are kept, so they cost nothing now; the allowance is spent for CCC.
    let kept = json_of(
        app.get("/api/quotes/?symbols=AAA,BBB", Some(&user.access))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(exact(&kept["quotes"]["BBB"]["price"]), d("20"));
    assert_eq!(history.calls("AAA") + history.calls("BBB"), 2);
    // Another user has their own allowance.
    let other = app.user("max").await;
    let theirs = json_of(
        app.get("/api/quotes/?symbols=CCC", Some(&other.access))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(theirs["quotes"]["CCC"]["source"], "close");
}

crate::per_backend!(
    quotes_without_a_key_are_the_latest_closes,
    keyless_quotes_are_paid_from_the_users_allowance,
);
