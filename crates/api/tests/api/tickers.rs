//! Tickers with a share class or an exchange (`BRK.B`, `VOD.L`, `SAP.DE`, `7203.T`), on both
//! backends: accepted and upper-cased in the ledger, the watch list and the game's options,
//! asked of the history provider in its own spelling (and not at all for a market it lacks),
//! refused with the reason for an unknown exchange; and the migration that widens the game's
//! options keeps every week, option and pick.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::django::pbkdf2_sha256;
use crate::helpers::ecb::FakeEcb;
use crate::helpers::history::FakeHistory;
use crate::helpers::postgres::PgServer;
use crate::helpers::{
    create_staff, execute_sql, json_of, keyless_app, Backend, TestApp, TestDb, PASSWORD,
};
use crate::ledger_migration::migrations_before;

const DAY: &str = "2024-06-07";

async fn tickers_with_a_class_or_an_exchange_work_everywhere(backend: Backend) {
    // Closes under Stooq's spelling of each symbol.
    let history = FakeHistory::start(&[
        ("BRK-B", DAY, "410.00"),
        ("VOD.UK", DAY, "70.10"),
        ("SAP.DE", DAY, "170.00"),
        ("7203.JP", DAY, "3400"),
        ("SPY", DAY, "530.00"),
    ]);
    let ecb = FakeEcb::start(&[
        ("USD", DAY, "1.08"),
        ("GBP", DAY, "0.85"),
        ("JPY", DAY, "168.5"),
    ]);
    let app = keyless_app(
        backend,
        &history,
        Some(&ecb),
        "2024-06-12T22:00:00Z",
        |_| {},
    )
    .await;
    let user = app.user("kim").await;
    for (given, stored) in [
        ("brk.b", "BRK.B"),
        ("VOD.L", "VOD.L"),
        ("sap.de", "SAP.DE"),
        ("7203.t", "7203.T"),
        ("AIR.PA", "AIR.PA"),
    ] {
        let body =
            json!({"type": "BUY", "ticker": given, "date": DAY, "quantity": "2", "price": "10"});
        let created = json_of(
            app.post("/api/transactions/", Some(&user.access), body)
                .await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(created["ticker"], stored);
    }
    let unknown = json_of(
        app.post(
            "/api/transactions/",
            Some(&user.access),
            json!({"type": "BUY", "ticker": "SAP.XX", "date": DAY, "quantity": "1", "price": "1"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let reason = unknown["ticker"][0].as_str().unwrap();
    assert!(
        reason.contains("“.XX” names no exchange") && reason.contains(".DE"),
        "{reason}"
    );

    // Each listing's history is asked for in Stooq's spelling; Paris, which Stooq lacks, is not.
    let performance = json_of(
        app.get(
            &format!("/api/portfolio/performance/?from={DAY}&to={DAY}"),
            Some(&user.access),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(performance["end_value"].is_string(), "{performance}");
    for symbol in ["BRK-B", "VOD.UK", "SAP.DE", "7203.JP", "SPY"] {
        assert_eq!(history.calls(symbol), 1, "{symbol}");
    }
    assert_eq!(history.total_calls(), 5, "nothing asked for AIR.PA");

    // The watch list takes them, and gives them back under the same name.
    json_of(
        app.post(
            "/api/watchlist/",
            Some(&user.access),
            json!({"ticker": "vod.l"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let listed = json_of(
        app.get("/api/watchlist/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;
    let tickers: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["ticker"].as_str().unwrap())
        .collect();
    assert!(tickers.contains(&"VOD.L"), "{listed}");
    assert_eq!(
        app.delete("/api/watchlist/VOD.L/", Some(&user.access))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );

    // So do the game's options.
    let url = app.database_url().to_owned();
    tokio::task::spawn_blocking(move || create_staff(&url, "boss"))
        .await
        .unwrap();
    let staff = json_of(app.login("boss", PASSWORD).await, StatusCode::OK).await;
    let option = json_of(
        app.post(
            "/api/wallstreet/options/",
            staff["access"].as_str(),
            json!({"ticker": "7203.t", "sunday": "2024-06-16"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(option["ticker"], "7203.T");
}

/// The release before wider tickers: a week with two options and a pick of each.
fn fill_game(url: &str) {
    let hash = pbkdf2_sha256(PASSWORD, "migrationsalt", 1000);
    execute_sql(
        url,
        &format!(
            "INSERT INTO users (id, username, username_key, email, password_hash, is_staff, \
             is_superuser, is_active, date_joined) VALUES \
             (4, 'lee', 'lee', '', '{hash}', FALSE, FALSE, TRUE, '2024-01-01 00:00:00'); \
             INSERT INTO weeks (sunday) VALUES ('2024-06-09'); \
             INSERT INTO options (id, sunday, ticker, start_price) VALUES \
             (11, '2024-06-09', 'SPY', '530.00'), (12, '2024-06-09', 'QQQ', '450.00'); \
             INSERT INTO selections (id, user_id, option_id, sunday, slot, created_at) VALUES \
             (21, 4, 11, '2024-06-09', 1, '2024-06-08 12:00:00'), \
             (22, 4, 12, '2024-06-09', 2, '2024-06-08 12:00:00');"
        ),
    )
    .unwrap();
}

async fn widening_the_options_keeps_every_pick(backend: Backend) {
    let db = tokio::task::spawn_blocking(move || match backend {
        Backend::Sqlite => TestDb::new(Backend::Sqlite),
        Backend::Postgres => TestDb::external(PgServer::shared().create_blank_database()),
    })
    .await
    .unwrap();
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        migrations_before(&url, backend, "2026-12-07-000301_longer_tickers");
        fill_game(&url);
    })
    .await
    .unwrap();
    let app = TestApp::spawn_on(db, |_| {});
    let tokens = json_of(app.login("lee", PASSWORD).await, StatusCode::OK).await;
    let picks: Value = json_of(
        app.get(
            "/api/wallstreet/selections/?sunday=2024-06-09",
            tokens["access"].as_str(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let mut kept: Vec<(i64, &str)> = picks
        .as_array()
        .unwrap_or_else(|| panic!("{picks}"))
        .iter()
        .map(|pick| {
            (
                pick["id"].as_i64().unwrap(),
                pick["ticker"].as_str().unwrap(),
            )
        })
        .collect();
    kept.sort();
    assert_eq!(kept, [(21, "SPY"), (22, "QQQ")]);
    let options = json_of(
        app.get("/api/wallstreet/options/?sunday=2024-06-09", None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(options.as_array().unwrap().len(), 2, "{options}");
    // The table still refuses a pick of an option of another week (the rebuilt keys hold).
    let cross_week = execute_sql(
        app.database_url(),
        "INSERT INTO weeks (sunday) VALUES ('2024-06-16'); \
         INSERT INTO selections (user_id, option_id, sunday, slot, created_at) VALUES \
         (4, 11, '2024-06-16', 1, '2024-06-15 12:00:00');",
    );
    assert!(cross_week.is_err(), "a pick must stay in its option's week");
}

crate::per_backend!(
    tickers_with_a_class_or_an_exchange_work_everywhere,
    widening_the_options_keeps_every_pick
);
