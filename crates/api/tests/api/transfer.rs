//! `api export` and `api import` as an operator runs them: an installation built through HTTP
//! on one backend, exported and imported by the real binary into a new database of the other,
//! then served there: the same logins, the same answers, the same ids, and new rows with new
//! ids. And what is refused: a database with data in it, other versions, damaged documents, an
//! existing output file.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use test_support::process::clean_command;

use crate::helpers::clock::ManualClock;
use crate::helpers::{
    create_staff, json_of, test_options, Backend, TestApp, TestDb, TestUser, PASSWORD,
};

/// The game's week: picks close on Monday 2030-01-07, the week is over on Friday 2030-01-11.
const WEEK: &str = "2030-01-06";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn other(backend: Backend) -> Backend {
    match backend {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    }
}

async fn new_db(backend: Backend) -> TestDb {
    tokio::task::spawn_blocking(move || TestDb::new(backend))
        .await
        .unwrap()
}

/// The real `api` binary with `args`, on `database_url`, from a scratch directory.
async fn api(database_url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut command = clean_command(env!("CARGO_BIN_EXE_api"));
    command
        .current_dir(dir.path())
        .env("DATABASE_URL", database_url)
        .envs(env.iter().copied())
        .args(args);
    tokio::task::spawn_blocking(move || command.output().expect("run api"))
        .await
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn export(database_url: &str, file: &Path) -> Output {
    api(
        database_url,
        &["export", "--output", file.to_str().unwrap()],
        &[],
    )
    .await
}

async fn import(database_url: &str, file: &Path) -> Output {
    api(
        database_url,
        &["import", "--input", file.to_str().unwrap()],
        &[],
    )
    .await
}

/// A server on `db` whose game clock stands at `now`, without Finnhub or a history provider,
/// so both ends of a move answer from their stored data alone.
fn serve(db: TestDb, now: &str) -> TestApp {
    let options = test_options(&db.url);
    TestApp::spawn_game(db, options, None, ManualClock::new(at(now)))
}

async fn created(app: &TestApp, path: &str, user: &TestUser, body: Value) -> Value {
    json_of(
        app.post(path, Some(&user.access), body).await,
        StatusCode::CREATED,
    )
    .await
}

async fn logged_in(app: &TestApp, username: &str) -> TestUser {
    let tokens = json_of(app.login(username, PASSWORD).await, StatusCode::OK).await;
    let me = json_of(
        app.get("/api/users/me/", Some(tokens["access"].as_str().unwrap()))
            .await,
        StatusCode::OK,
    )
    .await;
    TestUser {
        id: me["id"].as_i64().unwrap(),
        access: tokens["access"].as_str().unwrap().to_owned(),
        refresh: tokens["refresh"].as_str().unwrap().to_owned(),
    }
}

/// What the installation holds, for the checks after the move.
struct Installation {
    /// The id of the last transaction made, deleted again: never to be handed out twice.
    deleted_transaction: i64,
    highest_account: i64,
    highest_user: i64,
}

/// Two players' ledgers over two accounts (buys with fees and notes, a split, a dividend, a
/// sale, a deleted entry), a watch list, a staff member's scored week with both players'
/// picks, and stored closes; the clock ends after the week's close.
async fn build(app: &TestApp, clock: &ManualClock) -> Installation {
    let url = app.database_url().to_owned();
    let staff_url = url.clone();
    tokio::task::spawn_blocking(move || create_staff(&staff_url, "boss"))
        .await
        .unwrap();
    let boss = logged_in(app, "boss").await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;

    let ira = created(app, "/api/accounts/", &ann, json!({"name": "IRA"})).await;
    for entry in [
        json!({"type": "BUY", "ticker": "XYZ", "date": "2024-01-02", "quantity": "10.12345678", "price": "50.5", "fee": "2.00", "note": "first"}),
        json!({"account": ira["id"], "type": "BUY", "ticker": "VTI", "date": "2024-01-03", "quantity": "3", "price": "237.5"}),
        json!({"type": "SPLIT", "ticker": "XYZ", "date": "2024-02-01", "ratio": "2"}),
        json!({"type": "DIVIDEND", "ticker": "XYZ", "date": "2024-03-01", "amount": "1.20"}),
        json!({"type": "SELL", "ticker": "XYZ", "date": "2024-04-01", "quantity": "5", "price": "30.25", "fee": "1"}),
    ] {
        created(app, "/api/transactions/", &ann, entry).await;
    }
    created(
        app,
        "/api/transactions/",
        &bob,
        json!({"type": "BUY", "ticker": "SPY", "date": "2024-01-02", "quantity": "2", "price": "471.25"}),
    )
    .await;
    let mistake = created(
        app,
        "/api/transactions/",
        &ann,
        json!({"type": "BUY", "ticker": "OOPS", "date": "2024-05-01", "quantity": "1", "price": "1"}),
    )
    .await;
    let path = format!("/api/transactions/{}/", mistake["id"]);
    assert_eq!(
        app.delete(&path, Some(&ann.access)).await.status(),
        StatusCode::NO_CONTENT
    );

    json_of(
        app.get("/api/watchlist/", Some(&bob.access)).await,
        StatusCode::OK,
    )
    .await;
    created(app, "/api/watchlist/", &bob, json!({"ticker": "AAPL"})).await;
    assert_eq!(
        app.delete("/api/watchlist/VTI/", Some(&bob.access))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );

    let mut options = Vec::new();
    for (ticker, start) in [("AAA", "100"), ("BBB", "200.5")] {
        let body = json!({"ticker": ticker, "sunday": WEEK, "start_price": start});
        options.push(created(app, "/api/wallstreet/options/", &boss, body).await);
    }
    for (player, option) in [(&ann, &options[0]), (&bob, &options[1])] {
        let body = json!({"option": option["id"]});
        created(app, "/api/wallstreet/selections/", player, body).await;
    }
    clock.set(at("2030-01-11T21:30:00Z"));
    let close = format!("/api/wallstreet/weeks/{WEEK}/close/");
    let prices = json!({"prices": {"AAA": "110", "BBB": "180.25"}});
    json_of(
        app.post(&close, Some(&boss.access), prices).await,
        StatusCode::OK,
    )
    .await;

    let dir = tempfile::tempdir().unwrap();
    let closes = dir.path().join("closes.csv");
    std::fs::write(
        &closes,
        "symbol,date,close\nSPY,2024-01-02,472.65\nSPY,2024-12-31,586.08\n\
         XYZ,2024-01-02,50.5\nXYZ,2024-12-31,31.125\nVTI,2024-01-03,237.5\nVTI,2024-12-31,289.81\n",
    )
    .unwrap();
    let loaded = api(&url, &["import-closes", closes.to_str().unwrap()], &[]).await;
    assert!(loaded.status.success(), "{}", stderr(&loaded));

    Installation {
        deleted_transaction: mistake["id"].as_i64().unwrap(),
        highest_account: ira["id"].as_i64().unwrap(),
        highest_user: bob.id,
    }
}

/// What each player sees, and what everyone sees.
const PLAYER_PATHS: [&str; 9] = [
    "/api/users/me/",
    "/api/accounts/",
    "/api/transactions/",
    "/api/assets/",
    "/api/portfolio/positions/",
    "/api/portfolio/realized/",
    "/api/portfolio/performance/?from=2024-01-02&to=2024-12-31&benchmark=SPY",
    "/api/watchlist/",
    "/api/wallstreet/selections/",
];

async fn answer(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    let response = app.get(path, token).await;
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

async fn a_database_moves_to_the_other_backend_whole(source: Backend) {
    let clock = ManualClock::new(at("2030-01-03T12:00:00Z"));
    let db = new_db(source).await;
    let options = test_options(&db.url);
    let app = TestApp::spawn_game(db, options, None, clock.clone());
    let installation = build(&app, &clock).await;

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fattore.json");
    let exported = export(app.database_url(), &file).await;
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert!(
        stdout(&exported).contains("Exported users 3, accounts 4, transactions 6, watchlists 1"),
        "{}",
        stdout(&exported)
    );
    let document: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(document["version"], 2);
    let first = &document["tables"]["transactions"][0];
    assert_eq!(
        first["quantity"], "10.12345678",
        "decimals are exact strings"
    );
    assert_eq!(first["note"], "first");
    assert!(document["tables"].get("sessions").is_none());

    let target = new_db(other(source)).await;
    let imported = import(&target.url, &file).await;
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(
        stdout(&imported).contains("Imported users 3, accounts 4, transactions 6"),
        "{}",
        stdout(&imported)
    );
    let moved = serve(target, "2030-01-11T21:30:00Z");

    for name in ["ann", "bob", "boss"] {
        let before = logged_in(&app, name).await;
        let after = logged_in(&moved, name).await;
        assert_eq!(after.id, before.id, "{name} keeps their id");
        for path in PLAYER_PATHS {
            assert_eq!(
                answer(&moved, path, Some(&after.access)).await,
                answer(&app, path, Some(&before.access)).await,
                "{name}: {path}"
            );
        }
        assert_eq!(
            moved
                .get("/api/users/me/", Some(&before.access))
                .await
                .status(),
            StatusCode::UNAUTHORIZED,
            "sessions stay behind: everyone logs in again"
        );
    }
    let ann = logged_in(&moved, "ann").await;
    let ledger = answer(&moved, "/api/transactions/", Some(&ann.access)).await;
    assert_eq!(ledger.as_array().unwrap().len(), 5);
    for path in [
        format!("/api/wallstreet/options/?sunday={WEEK}"),
        format!("/api/wallstreet/leaderboard/?sunday={WEEK}"),
        "/api/wallstreet/leaderboard/".to_owned(),
    ] {
        assert_eq!(
            answer(&moved, &path, None).await,
            answer(&app, &path, None).await,
            "{path}"
        );
    }
    let options = answer(
        &moved,
        &format!("/api/wallstreet/options/?sunday={WEEK}"),
        None,
    )
    .await;
    assert_eq!(options[1]["end_price"], "180.2500");

    let entry = json!({"type": "BUY", "ticker": "NEW", "date": "2024-06-03", "quantity": "1", "price": "1"});
    let fresh = created(&moved, "/api/transactions/", &ann, entry).await;
    assert_eq!(
        fresh["id"].as_i64().unwrap(),
        installation.deleted_transaction + 1,
        "a deleted row's id is not handed out again"
    );
    let cyd = moved.user("cyd").await;
    assert_eq!(cyd.id, installation.highest_user + 1);
    let accounts = answer(&moved, "/api/accounts/", Some(&cyd.access)).await;
    assert_eq!(accounts.as_array().unwrap().len(), 1, "{accounts}");
    assert_eq!(
        accounts[0]["id"].as_i64().unwrap(),
        installation.highest_account + 1
    );
    let watched = created(&moved, "/api/watchlist/", &ann, json!({"ticker": "QQQ"})).await;
    assert_eq!(watched["ticker"], "QQQ");
}

/// A document of one staff account, made by the real binary on a new SQLite database.
async fn small_export(dir: &Path) -> PathBuf {
    let source = format!("sqlite://{}", dir.join("small.sqlite3").display());
    let made = api(
        &source,
        &["createsuperuser", "--username", "ann"],
        &[("API_SUPERUSER_PASSWORD", PASSWORD)],
    )
    .await;
    assert!(made.status.success(), "{}", stderr(&made));
    let file = dir.join("small.json");
    let exported = export(&source, &file).await;
    assert!(exported.status.success(), "{}", stderr(&exported));
    file
}

async fn an_import_refuses_a_database_that_holds_data(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let file = small_export(dir.path()).await;
    let app = TestApp::spawn(backend).await;
    app.user("zed").await;

    let refused = import(app.database_url(), &file).await;
    assert_eq!(refused.status.code(), Some(1));
    let message = stderr(&refused);
    assert!(
        message.contains("the database is not empty (users 1, accounts 1")
            && message.contains("nothing was written"),
        "{message}"
    );
    assert_eq!(
        app.login("ann", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    logged_in(&app, "zed").await;
}

async fn an_import_refuses_other_versions_and_damaged_documents(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let file = small_export(dir.path()).await;
    let document: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let db = new_db(backend).await;
    let edited = |name: &str, edit: &dyn Fn(&mut Value)| {
        let mut copy = document.clone();
        edit(&mut copy);
        let path = dir.path().join(name);
        std::fs::write(&path, copy.to_string()).unwrap();
        path
    };
    let text = std::fs::read_to_string(&file).unwrap();
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    let cases = [
        (
            edited("newer.json", &|d| d["version"] = json!(3)),
            "is version 3 of the export document, written by a newer api; this one reads version 2",
        ),
        (
            edited("zero.json", &|d| d["version"] = json!(0)),
            "has export document version 0, which no api wrote",
        ),
        (dir.path().join("missing.json"), "cannot read"),
        (truncated, "is not an export document: EOF while parsing"),
        (
            edited("other.json", &|d| d["format"] = json!("something-else")),
            "is not an export document (its \"format\" is not \"fattore-export\")",
        ),
        (
            edited("mistyped.json", &|d| {
                d["tables"]["accounts"][0]["id"] = json!("one")
            }),
            "is not an export document: invalid type",
        ),
        (
            // The account's owner is not in the document: the database refuses the row after
            // the user was inserted, and the whole import is rolled back.
            edited("orphan.json", &|d| {
                d["tables"]["accounts"][0]["user_id"] = json!(99)
            }),
            "database:",
        ),
    ];
    for (path, expected) in cases {
        let refused = import(&db.url, &path).await;
        assert_eq!(refused.status.code(), Some(1), "{}", path.display());
        let message = stderr(&refused);
        assert!(message.contains(expected), "{}: {message}", path.display());
    }

    let imported = import(&db.url, &file).await;
    assert!(
        imported.status.success(),
        "nothing of the failed imports stayed behind: {}",
        stderr(&imported)
    );
    let app = TestApp::spawn_on(db, |_| {});
    let ann = logged_in(&app, "ann").await;
    let accounts = answer(&app, "/api/accounts/", Some(&ann.access)).await;
    assert_eq!(accounts.as_array().unwrap().len(), 1, "{accounts}");
}

/// A document of version 1 (before currencies) imports: users report in dollars and the rate
/// store starts empty.
async fn a_version_1_document_still_imports(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let file = small_export(dir.path()).await;
    let mut document: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    document["version"] = json!(1);
    let tables = document["tables"].as_object_mut().unwrap();
    assert!(tables.remove("fx_rates").is_some() && tables.remove("fx_coverage").is_some());
    for user in tables["users"].as_array_mut().unwrap() {
        assert_eq!(
            user.as_object_mut().unwrap().remove("base_currency"),
            Some(json!("USD"))
        );
    }
    let old = dir.path().join("version-1.json");
    std::fs::write(&old, document.to_string()).unwrap();
    let db = new_db(backend).await;
    let imported = import(&db.url, &old).await;
    assert!(imported.status.success(), "{}", stderr(&imported));
    let app = TestApp::spawn_on(db, |_| {});
    let ann = logged_in(&app, "ann").await;
    let me = answer(&app, "/api/users/me/", Some(&ann.access)).await;
    assert_eq!(me["base_currency"], "USD");
}

async fn an_export_is_a_new_file_only_its_owner_reads(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("ann").await;
    let dir = tempfile::tempdir().unwrap();

    let file = dir.path().join("export.json");
    let exported = export(app.database_url(), &file).await;
    assert!(exported.status.success(), "{}", stderr(&exported));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "it holds password hashes");

    let kept = dir.path().join("kept.json");
    std::fs::write(&kept, "keep me").unwrap();
    let refused = export(app.database_url(), &kept).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("exists already"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "keep me");

    let missing = format!("sqlite://{}", dir.path().join("nothing.sqlite3").display());
    let nowhere = dir.path().join("nowhere.json");
    let refused = export(&missing, &nowhere).await;
    assert!(
        stderr(&refused).contains("is not a database file"),
        "{}",
        stderr(&refused)
    );
    assert!(!nowhere.exists() && !dir.path().join("nothing.sqlite3").exists());
}

// `sqlite::a_database_moves_…` moves from SQLite to PostgreSQL, `postgres::…` the other way.
crate::per_backend!(
    a_database_moves_to_the_other_backend_whole,
    an_import_refuses_a_database_that_holds_data,
    an_import_refuses_other_versions_and_damaged_documents,
    a_version_1_document_still_imports,
    an_export_is_a_new_file_only_its_owner_reads,
);
