//! Running concerns: serving the web UI from the API alone, SQLite settings, real 500s.

use diesel::connection::SimpleConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
use reqwest::StatusCode;

use crate::helpers::{json_of, Backend, TestApp};

fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").expect("a sqlite url")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_alone_serves_the_web_ui_with_spa_fallback() {
    let web = tempfile::tempdir().unwrap();
    std::fs::write(
        web.path().join("index.html"),
        "<!doctype html><title>app</title>",
    )
    .unwrap();
    std::fs::write(web.path().join("app.js"), "console.log('hi')").unwrap();
    let dir = web.path().to_owned();
    let app = TestApp::spawn_with(Backend::Sqlite, move |options| {
        options.http.static_dir = Some(dir)
    })
    .await;

    for path in ["/", "/portfolio", "/wallstreet/picks"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("<title>app</title>"),
            "{path}"
        );
    }
    let script = app.get("/app.js", None).await;
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    assert_eq!(
        app.get("/missing.js", None).await.status(),
        StatusCode::NOT_FOUND
    );
    let api_miss = json_of(
        app.get("/api/nothing-here", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(api_miss["code"], "not_found");
    assert_eq!(app.get("/api/health", None).await.status(), StatusCode::OK);
    for (method, path) in [
        (reqwest::Method::POST, "/api/nope"),
        (reqwest::Method::DELETE, "/"),
        (reqwest::Method::POST, "/portfolio"),
    ] {
        let response = app.request(method.clone(), path, None, None).await;
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{method} {path}"
        );
        assert!(response.status().is_client_error(), "{method} {path}");
    }
}

#[derive(QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = diesel::sql_types::Text)]
    journal_mode: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_runs_in_wal_mode() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.user("wal").await;
    let mut conn = SqliteConnection::establish(sqlite_path(app.database_url())).unwrap();
    let mode: JournalMode = diesel::sql_query("PRAGMA journal_mode")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(mode.journal_mode, "wal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_server_error_is_a_generic_json_500() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let user = app.user("broken").await;
    let mut conn = SqliteConnection::establish(sqlite_path(app.database_url())).unwrap();
    conn.batch_execute("DROP TABLE transactions").unwrap();
    let body = json_of(
        app.get("/api/assets/", Some(&user.access)).await,
        StatusCode::INTERNAL_SERVER_ERROR,
    )
    .await;
    assert_eq!(body["detail"], "A server error occurred.");
    assert_eq!(body["code"], "server_error");
    assert!(
        !body.to_string().contains("transactions"),
        "no internals leak: {body}"
    );
}
