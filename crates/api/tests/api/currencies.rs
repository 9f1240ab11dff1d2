//! Currencies, on both backends, against figures worked by hand (every rate and close below is
//! the test's own; the arithmetic is in the comments):
//! - each user has a base currency (`base_currency` on `/api/users/me/`), and `?currency=`
//!   overrides it;
//! - a transaction is in its ticker's listing currency unless given one;
//! - flows convert at their day's rate and values at the valuation day's, with rates fetched
//!   from a fake ECB once and stored, crossing through the euro for other pairs;
//! - a foreign position's gain splits into price and currency effects that sum to it;
//! - London's pence are pounds; a missing rate is a 409 naming the pair; `api import-fx`
//!   loads a file all or nothing, naming every bad row and field.

use std::str::FromStr;

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use test_support::process::clean_command;

use crate::helpers::ecb::FakeEcb;
use crate::helpers::history::FakeHistory;
use crate::helpers::{json_of, keyless_app, keyless_app_on, Backend, TestApp, TestDb, TestUser};

const BOUGHT: &str = "2024-01-02";
const VALUED: &str = "2024-06-12";
/// After the valuation day's close in New York.
const EVENING: &str = "2024-06-12T22:00:00Z";

/// One euro in dollars and pounds, on the day of the purchases and the valuation day only.
fn ecb() -> FakeEcb {
    FakeEcb::start(&[
        ("USD", BOUGHT, "1.10"),
        ("GBP", BOUGHT, "0.86"),
        ("USD", VALUED, "1.08"),
        ("GBP", VALUED, "0.84"),
    ])
}

/// Closes at the purchase prices on the first day, and the valuation day's (Stooq quotes
/// London in pence: 70 and 72 pence).
fn history() -> FakeHistory {
    FakeHistory::start(&[
        ("SPY", BOUGHT, "400.00"),
        ("SAP.DE", BOUGHT, "150.00"),
        ("VOD.UK", BOUGHT, "70.00"),
        ("SPY", VALUED, "530.00"),
        ("SAP.DE", VALUED, "170.00"),
        ("VOD.UK", VALUED, "72.00"),
    ])
}

/// A server with no Finnhub key (quotes are the closes), on the evening of the valuation day.
async fn app(backend: Backend, history: &FakeHistory, ecb: Option<&FakeEcb>) -> TestApp {
    keyless_app(backend, history, ecb, EVENING, |_| {}).await
}

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

async fn buy(app: &TestApp, user: &TestUser, body: Value) -> Value {
    json_of(
        app.post("/api/transactions/", Some(&user.access), body)
            .await,
        StatusCode::CREATED,
    )
    .await
}

async fn get(app: &TestApp, user: &TestUser, path: &str) -> Value {
    json_of(app.get(path, Some(&user.access)).await, StatusCode::OK).await
}

fn position<'a>(body: &'a Value, ticker: &str) -> &'a Value {
    body["positions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|position| position["ticker"] == ticker)
        .unwrap_or_else(|| panic!("no {ticker} in {body}"))
}

/// Asserts `figures` of `value`: (field, expected) pairs.
fn assert_figures(value: &Value, figures: &[(&str, &str)]) {
    for (field, expected) in figures {
        assert_eq!(exact(&value[field]), d(expected), "{field} of {value}");
    }
}

async fn the_base_currency_is_the_users_own(backend: Backend) {
    let history = history();
    let app = app(backend, &history, None).await;
    let user = app.user("eva").await;
    assert_eq!(
        get(&app, &user, "/api/users/me/").await["base_currency"],
        "USD"
    );
    let changed = json_of(
        app.patch(
            "/api/users/me/",
            Some(&user.access),
            json!({"base_currency": "eur"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["base_currency"], "EUR");
    assert_eq!(
        get(&app, &user, "/api/users/me/").await["base_currency"],
        "EUR"
    );
    for (body, field, says) in [
        (
            json!({"base_currency": "XYZ"}),
            "base_currency",
            "“XYZ” is not an ISO 4217",
        ),
        (
            json!({"base_currency": "EURO"}),
            "base_currency",
            "three-letter",
        ),
        (json!({"username": "eve"}), "username", "Only base_currency"),
    ] {
        let refused = json_of(
            app.patch("/api/users/me/", Some(&user.access), body).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        let message = refused[field][0].as_str().unwrap_or_default();
        assert!(message.contains(says), "{refused}");
    }
    assert_eq!(
        get(&app, &user, "/api/users/me/").await["base_currency"],
        "EUR"
    );
    // Another user's stays their own.
    let other = app.user("finn").await;
    assert_eq!(
        get(&app, &other, "/api/users/me/").await["base_currency"],
        "USD"
    );

    // A transaction is in its listing's currency unless given one, which must be a real one.
    let sap = buy(
        &app,
        &user,
        json!({"type": "BUY", "ticker": "sap.de", "date": BOUGHT, "quantity": "1", "price": "150"}),
    )
    .await;
    assert_eq!(sap["currency"], "EUR");
    let vod = buy(
        &app,
        &user,
        json!({"type": "BUY", "ticker": "VOD.L", "date": BOUGHT, "quantity": "1", "price": "0.70"}),
    )
    .await;
    assert_eq!(vod["currency"], "GBP");
    let given = buy(&app, &user, json!({"type": "BUY", "ticker": "SPY", "date": BOUGHT, "quantity": "1", "price": "360", "currency": "eur"})).await;
    assert_eq!(given["currency"], "EUR");
    let unknown = json_of(
        app.post(
            "/api/transactions/",
            Some(&user.access),
            json!({"type": "BUY", "ticker": "SPY", "date": BOUGHT, "quantity": "1", "price": "1", "currency": "ABC"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        unknown["currency"][0].as_str().unwrap().contains("“ABC”"),
        "{unknown}"
    );
    let bad = json_of(
        app.get("/api/portfolio/positions/?currency=XXQ", Some(&user.access))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(bad["currency"][0].is_string(), "{bad}");
}

async fn a_european_portfolio_in_one_currency(backend: Backend) {
    let (history, ecb) = (history(), ecb());
    let app = app(backend, &history, Some(&ecb)).await;
    let user = app.user("eva").await;
    app.patch(
        "/api/users/me/",
        Some(&user.access),
        json!({"base_currency": "EUR"}),
    )
    .await;
    for (ticker, quantity, price) in [
        ("SPY", "10", "400"),
        ("SAP.DE", "20", "150"),
        ("VOD.L", "1000", "0.70"),
    ] {
        buy(&app, &user, json!({"type": "BUY", "ticker": ticker, "date": BOUGHT, "quantity": quantity, "price": price})).await;
    }

    let in_eur = get(&app, &user, "/api/portfolio/positions/").await;
    assert_eq!(in_eur["currency"], "EUR");
    // SPY: 4000 USD at 1/1.10 = 3636.36 EUR; 5300 USD at 1/1.08 = 4907.41 EUR. Its own gain
    // of 1300 USD is 1203.70 EUR now (price); the dollar's rise adds the other 67.34.
    let spy = position(&in_eur, "SPY");
    assert_eq!(spy["currency"], "USD");
    assert_figures(
        spy,
        &[
            ("cost", "3636.36"),
            ("market_value", "4907.41"),
            ("unrealized_gain", "1271.04"),
            ("price_effect", "1203.70"),
            ("currency_effect", "67.34"),
        ],
    );
    assert_figures(
        &spy["own"],
        &[
            ("cost", "4000.00"),
            ("price", "530"),
            ("market_value", "5300.00"),
            ("unrealized_gain", "1300.00"),
            ("rate", "0.925925925926"),
        ],
    );
    // SAP.DE is in euros: no own figures, no split.
    let sap = position(&in_eur, "SAP.DE");
    assert_figures(
        sap,
        &[
            ("cost", "3000.00"),
            ("market_value", "3400.00"),
            ("unrealized_gain", "400.00"),
        ],
    );
    assert!(
        sap["own"].is_null() && sap["price_effect"].is_null() && sap["currency_effect"].is_null(),
        "{sap}"
    );
    // VOD.L: 700 GBP at 1/0.86 = 813.95 EUR; 72 pence are 0.72 GBP, × 1000 at 1/0.84 = 857.14.
    let vod = position(&in_eur, "VOD.L");
    assert_eq!(vod["currency"], "GBP");
    assert_figures(
        vod,
        &[
            ("cost", "813.95"),
            ("market_value", "857.14"),
            ("unrealized_gain", "43.19"),
            ("price_effect", "23.81"),
            ("currency_effect", "19.38"),
        ],
    );
    assert_figures(
        &vod["own"],
        &[
            ("price", "0.72"),
            ("market_value", "720.00"),
            ("unrealized_gain", "20.00"),
        ],
    );
    assert_figures(
        &in_eur["totals"],
        &[
            ("cost", "7450.32"),
            ("market_value", "9164.55"),
            ("unrealized_gain", "1714.23"),
            ("currency_effect", "86.72"),
        ],
    );
    // The rates were fetched once per currency, and stored: asking again fetches nothing.
    assert_eq!((ecb.calls("USD"), ecb.calls("GBP")), (1, 1));
    get(&app, &user, "/api/portfolio/positions/").await;
    assert_eq!((ecb.calls("USD"), ecb.calls("GBP")), (1, 1));

    // The same ledger in dollars: SAP.DE is now the foreign one; GBP→USD crosses the euro
    // (1.279069767441 then 1.285714285714).
    let in_usd = get(&app, &user, "/api/portfolio/positions/?currency=usd").await;
    assert_eq!(in_usd["currency"], "USD");
    assert!(position(&in_usd, "SPY")["own"].is_null());
    assert_figures(
        position(&in_usd, "SAP.DE"),
        &[
            ("cost", "3300.00"),
            ("market_value", "3672.00"),
            ("unrealized_gain", "372.00"),
            ("price_effect", "432.00"),
            ("currency_effect", "-60.00"),
        ],
    );
    assert_figures(
        position(&in_usd, "VOD.L"),
        &[
            ("cost", "895.35"),
            ("market_value", "925.71"),
            ("unrealized_gain", "30.37"),
            ("price_effect", "25.71"),
            ("currency_effect", "4.65"),
        ],
    );
    assert_figures(
        &in_usd["totals"],
        &[
            ("cost", "8195.35"),
            ("market_value", "9897.71"),
            ("unrealized_gain", "1702.37"),
            ("currency_effect", "-55.35"),
        ],
    );

    // Performance in two base currencies on the same ledger: the value on the first day is
    // what was paid, so the TWR is the end value over the money in; the benchmark is SPY in
    // the report's currency (530 / 1.08 over 400 / 1.10 in euros).
    let range = format!("from={BOUGHT}&to={VALUED}");
    let eur = get(&app, &user, &format!("/api/portfolio/performance/?{range}")).await;
    assert_eq!(eur["currency"], "EUR");
    assert_figures(
        &eur,
        &[
            ("invested", "7450.32"),
            ("end_value", "9164.55"),
            ("twr", "23.01"),
        ],
    );
    assert_eq!(eur["benchmark"]["twr"], "34.95");
    let usd = get(
        &app,
        &user,
        &format!("/api/portfolio/performance/?{range}&currency=USD"),
    )
    .await;
    assert_figures(
        &usd,
        &[
            ("invested", "8195.35"),
            ("end_value", "9897.71"),
            ("twr", "20.77"),
        ],
    );
    assert_eq!(usd["benchmark"]["twr"], "32.50");

    // So is the history chart: its last point is the end value.
    let chart = get(&app, &user, "/api/portfolio/history/?range=max").await;
    assert_eq!(chart["currency"], "EUR");
    let last = chart["points"].as_array().unwrap().last().unwrap();
    assert_eq!(last["date"], VALUED);
    assert_eq!(exact(&last["value"]), d("9164.55"), "{last}");

    // The summary (the allocation page) is in the base currency too.
    let summary = get(&app, &user, "/api/portfolio/summary/").await;
    assert_eq!(summary["currency"], "EUR");
    assert_eq!(
        exact(&summary["totals"]["market_value"]),
        d("9164.55"),
        "{summary}"
    );
}

async fn a_euro_sale_realized_in_dollars(backend: Backend) {
    let (history, ecb) = (history(), ecb());
    let app = app(backend, &history, Some(&ecb)).await;
    let user = app.user("sam").await;
    // 10 SAP.DE bought at 100 EUR when 1 EUR = 1.10 USD, sold at 120 EUR when it was 1.08.
    buy(&app, &user, json!({"type": "BUY", "ticker": "SAP.DE", "date": BOUGHT, "quantity": "10", "price": "100"})).await;
    buy(&app, &user, json!({"type": "SELL", "ticker": "SAP.DE", "date": VALUED, "quantity": "10", "price": "120"})).await;
    let realized = get(&app, &user, "/api/portfolio/realized/").await;
    assert_eq!(realized["currency"], "USD");
    let lot = &realized["lots"][0];
    // Cost 1100 USD, proceeds 1296 USD: 196 of gain, of which 200 EUR × 1.08 = 216 is the
    // price's and −20 the euro's fall.
    assert_figures(
        lot,
        &[
            ("cost", "1100.00"),
            ("proceeds", "1296.00"),
            ("gain", "196.00"),
            ("price_effect", "216.00"),
            ("currency_effect", "-20.00"),
        ],
    );
    assert_eq!(lot["currency"], "EUR");
    assert_figures(
        &realized["totals"],
        &[("gain", "196.00"), ("currency_effect", "-20.00")],
    );
    // In euros the same lot has no split, and gains 200.
    let in_eur = get(&app, &user, "/api/portfolio/realized/?currency=EUR").await;
    assert_figures(
        &in_eur["lots"][0],
        &[("cost", "1000.00"), ("gain", "200.00")],
    );
    assert!(in_eur["lots"][0]["price_effect"].is_null());
}

async fn a_missing_rate_is_a_conflict_naming_the_pair(backend: Backend) {
    let history = history();
    // No rate provider, and no rate stored.
    let app = app(backend, &history, None).await;
    let user = app.user("zoe").await;
    buy(&app, &user, json!({"type": "BUY", "ticker": "NESN.SW", "date": BOUGHT, "quantity": "1", "price": "100"})).await;
    let refused = json_of(
        app.get("/api/portfolio/positions/", Some(&user.access))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(refused["code"], "fx_rate_missing");
    let detail = refused["detail"].as_str().unwrap();
    assert!(
        detail.contains("CHF→USD") && detail.contains("import-fx"),
        "{detail}"
    );
    // In its own currency nothing needs converting.
    let in_chf = get(&app, &user, "/api/portfolio/positions/?currency=CHF").await;
    assert_figures(position(&in_chf, "NESN.SW"), &[("cost", "100.00")]);
}

fn import_fx(url: &str, file: &std::path::Path) -> std::process::Output {
    clean_command(env!("CARGO_BIN_EXE_api"))
        .current_dir(file.parent().unwrap())
        .arg("import-fx")
        .arg(file)
        .env("DATABASE_URL", url)
        .output()
        .expect("run api import-fx")
}

async fn imported_rates_convert_and_bad_files_name_each_problem(backend: Backend) {
    let db = tokio::task::spawn_blocking(move || TestDb::new(backend))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "date,base,quote,rate\n2024-01-02,GBP,USD,1.27\n2024-02-30,GBP,USD,1.27\n2024-01-03,GBP,USD,0\n2024-01-03,GBP,XYZ,1.2\n",
    )
    .unwrap();
    let url = db.url.clone();
    let refused = tokio::task::spawn_blocking(move || import_fx(&url, &bad))
        .await
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    for line in [
        "line 3, date: “2024-02-30” is not a date",
        "line 4, rate: A rate must be greater than 0",
        "line 5, quote: “XYZ” is not an ISO 4217 currency code",
    ] {
        assert!(stderr.contains(line), "{line} in {stderr}");
    }
    assert!(stderr.contains("nothing imported"), "{stderr}");

    let good = dir.path().join("rates.csv");
    std::fs::write(
        &good,
        "date,base,quote,rate\n2024-01-02,GBP,USD,1.27\n2024-06-12,GBP,USD,1.28\n2024-06-12,EUR,USD,1.08\n",
    )
    .unwrap();
    let url = db.url.clone();
    let imported = tokio::task::spawn_blocking(move || import_fx(&url, &good))
        .await
        .unwrap();
    assert!(imported.status.success(), "{imported:?}");
    assert_eq!(
        String::from_utf8_lossy(&imported.stdout).trim(),
        "Imported 3 rates of 2 currency pairs."
    );

    // The imported rates convert a pound holding into dollars, with the ECB configured but
    // unreachable: its failure falls back to the stored rates.
    let history = history();
    let app = keyless_app_on(db, &history, None, EVENING, |options| {
        options.portfolio.fx_provider = api::cli::FxProvider::Ecb;
        options.portfolio.fx_url = "http://127.0.0.1:9/service/data/EXR".into();
    });
    let user = app.user("ian").await;
    buy(&app, &user, json!({"type": "BUY", "ticker": "VOD.L", "date": BOUGHT, "quantity": "1000", "price": "0.70"})).await;
    let positions = get(&app, &user, "/api/portfolio/positions/").await;
    // 700 GBP at 1.27 = 889.00; 720 GBP at 1.28 = 921.60; of the 32.60, 20 GBP × 1.28 = 25.60
    // is the price's.
    assert_figures(
        position(&positions, "VOD.L"),
        &[
            ("cost", "889.00"),
            ("market_value", "921.60"),
            ("unrealized_gain", "32.60"),
            ("price_effect", "25.60"),
            ("currency_effect", "7.00"),
        ],
    );
}

async fn the_scheduler_keeps_the_rates_of_currencies_in_use_fresh(backend: Backend) {
    let history = history();
    let ecb = FakeEcb::start(&[
        ("USD", "2024-06-11", "1.09"),
        ("GBP", "2024-06-11", "0.85"),
        ("USD", VALUED, "1.08"),
        ("GBP", VALUED, "0.84"),
    ]);
    let db = tokio::task::spawn_blocking(move || TestDb::new(backend))
        .await
        .unwrap();
    let url = db.url.clone();
    let app = keyless_app_on(db, &history, Some(&ecb), EVENING, |options| {
        options.scheduler.wallstreet_scheduler = true;
    });
    let user = app.user("kai").await;
    // A pound holding puts GBP in use (beside the users' USD).
    buy(
        &app,
        &user,
        json!({"type": "BUY", "ticker": "VOD.L", "date": BOUGHT, "quantity": "1", "price": "0.70"}),
    )
    .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let stored = loop {
        let url = url.clone();
        let rates = tokio::task::spawn_blocking(move || {
            let currencies = ["EUR".to_owned(), "GBP".to_owned(), "USD".to_owned()];
            let day = VALUED.parse().unwrap();
            api::models::fx::around(
                &mut crate::helpers::db_pool(&url).get().unwrap(),
                &currencies,
                day,
                day,
            )
            .unwrap()
        })
        .await
        .unwrap();
        let on_the_day = |quote: &str| {
            rates
                .iter()
                .any(|rate| rate.quote == quote && rate.date.to_string() == VALUED)
        };
        if on_the_day("GBP") && on_the_day("USD") {
            break rates;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "rates not fetched: {rates:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let gbp = stored
        .iter()
        .find(|rate| rate.quote == "GBP" && rate.date.to_string() == VALUED)
        .unwrap_or_else(|| panic!("{stored:?}"));
    assert_eq!(
        (gbp.base.as_str(), gbp.rate.normalize().to_string().as_str()),
        ("EUR", "0.84")
    );
    // Once stored, the next passes (every second here) ask nothing more.
    let asked = (ecb.calls("USD"), ecb.calls("GBP"));
    assert_eq!(asked, (1, 1));
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!((ecb.calls("USD"), ecb.calls("GBP")), asked);
}

crate::per_backend!(
    the_scheduler_keeps_the_rates_of_currencies_in_use_fresh,
    the_base_currency_is_the_users_own,
    a_european_portfolio_in_one_currency,
    a_euro_sale_realized_in_dollars,
    a_missing_rate_is_a_conflict_naming_the_pair,
    imported_rates_convert_and_bad_files_name_each_problem,
);
