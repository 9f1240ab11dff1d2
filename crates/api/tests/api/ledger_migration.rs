//! The ledger's migration on a database the previous release made: every holding becomes a
//! BUY in its owner's new `Main` account, under its old id, with nothing lost; the old clients
//! see the same holdings, and ids made afterwards do not run into the old ones.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::django::pbkdf2_sha256;
use crate::helpers::postgres::PgServer;
use crate::helpers::{execute_sql, json_of, Backend, TestApp, TestDb, PASSWORD};

/// The first migration of the ledger; the ones before it are the previous release's schema.
const LEDGER: &str = "2026-12-07-000101_ledger";

/// Runs the previous release's migrations on `url`, recording them as diesel does.
fn previous_release(url: &str, backend: Backend) {
    migrations_before(url, backend, LEDGER);
}

/// Runs the migrations older than `first_new` on `url`, recording them as diesel does: the
/// schema a release before `first_new` left.
pub fn migrations_before(url: &str, backend: Backend, first_new: &str) {
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(folder);
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.as_str() < first_new)
        .collect();
    names.sort();
    execute_sql(
        url,
        "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, \
         run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    )
    .unwrap();
    for name in names {
        let sql = std::fs::read_to_string(root.join(&name).join("up.sql")).unwrap();
        execute_sql(url, &sql).unwrap_or_else(|err| panic!("{name}: {err}"));
        let version: String = name
            .split('_')
            .next()
            .unwrap()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        execute_sql(
            url,
            &format!("INSERT INTO __diesel_schema_migrations (version) VALUES ('{version}')"),
        )
        .unwrap();
    }
}

/// What the previous release held: two users, three holdings with gaps in their ids, one
/// imported from Django.
fn fill(url: &str) {
    let hash = pbkdf2_sha256(PASSWORD, "migrationsalt", 1000);
    execute_sql(
        url,
        &format!(
            "INSERT INTO users (id, username, username_key, email, password_hash, is_staff, \
             is_superuser, is_active, date_joined) VALUES \
             (3, 'alice', 'alice', 'a@example.com', '{hash}', FALSE, FALSE, TRUE, '2024-01-01 00:00:00'), \
             (8, 'bob', 'bob', '', '{hash}', FALSE, FALSE, TRUE, '2024-01-01 00:00:00'); \
             INSERT INTO assets (id, user_id, ticker, shares, costbasis, buy, source_id) VALUES \
             (5, 3, 'VTI', '10.50000', '210.25', '2023-06-30', NULL), \
             (7, 8, 'AAPL', '0.00001', '0.01', '2020-01-01', NULL), \
             (9, 3, 'SPY', '99999999999999999999.99999', '99999999.99', '2021-02-03', 42);"
        ),
    )
    .unwrap();
}

async fn login(app: &TestApp, username: &str) -> String {
    let tokens = json_of(app.login(username, PASSWORD).await, StatusCode::OK).await;
    tokens["access"].as_str().unwrap().to_owned()
}

async fn holdings_become_buys_in_a_main_account(backend: Backend) {
    let db = tokio::task::spawn_blocking(move || match backend {
        Backend::Sqlite => TestDb::new(Backend::Sqlite),
        Backend::Postgres => TestDb::external(PgServer::shared().create_blank_database()),
    })
    .await
    .unwrap();
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        previous_release(&url, backend);
        fill(&url);
    })
    .await
    .unwrap();
    let app = TestApp::spawn_on(db, |_| {});
    let alice = login(&app, "alice").await;
    let assets = json_of(app.get("/api/assets/", Some(&alice)).await, StatusCode::OK).await;
    assert_eq!(
        assets,
        json!([
            {"id": 5, "ticker": "VTI", "shares": "10.50000", "costbasis": "210.25", "buy": "2023-06-30", "user": 3},
            {"id": 9, "ticker": "SPY", "shares": "99999999999999999999.99999", "costbasis": "99999999.99", "buy": "2021-02-03", "user": 3},
        ])
    );
    let accounts = json_of(
        app.get("/api/accounts/", Some(&alice)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(accounts.as_array().unwrap().len(), 1);
    assert_eq!(accounts[0]["name"], "Main");
    let ledger: Value = json_of(
        app.get("/api/transactions/", Some(&alice)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ledger[1]["type"], "BUY");
    assert_eq!(ledger[1]["id"], 5);
    assert_eq!(ledger[1]["fee"], "0");
    assert_eq!(ledger[1]["account"], accounts[0]["id"]);

    let bob = login(&app, "bob").await;
    let theirs = json_of(app.get("/api/assets/", Some(&bob)).await, StatusCode::OK).await;
    assert_eq!(theirs[0]["id"], 7);
    assert_eq!(theirs[0]["shares"], "0.00001");
    assert_eq!(
        app.get("/api/assets/5/", Some(&bob)).await.status(),
        StatusCode::NOT_FOUND
    );

    let new = json_of(
        app.post(
            "/api/assets/",
            Some(&bob),
            json!({"ticker": "MSFT", "shares": "1", "costbasis": "300", "buy": "2024-01-02"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert!(
        new["id"].as_i64().unwrap() > 9,
        "ids continue past the old ones: {new}"
    );
    let carol = app.user("carol").await;
    let accounts = json_of(
        app.get("/api/accounts/", Some(&carol.access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        accounts[0]["name"], "Main",
        "users made after the migration start with one too"
    );
}

crate::per_backend!(holdings_become_buys_in_a_main_account);
