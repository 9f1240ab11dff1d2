use std::time::{Duration, Instant};

use reqwest::StatusCode;

use test_support::process::clean_command;
use test_support::servers::ApiServer;

use crate::helpers::postgres::PgCluster;
use crate::helpers::{execute_sql, json_of, Backend, TestApp, TestDb};

async fn health_reports_the_database(app: TestApp) {
    let response = app.get("/api/health", None).await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
}

crate::backend_tests!(health_reports_the_database);

/// The proxy's and the platform's checks come every few seconds: at the default level the
/// access log shows only real requests; `access=debug` shows the passing checks too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passing_health_checks_are_access_logged_at_debug_only() {
    for (filter, checks_logged) in [(None, 0), (Some("info,access=debug"), 3)] {
        let dir = tempfile::tempdir().unwrap();
        let mut command = clean_command(env!("CARGO_BIN_EXE_api"));
        command.current_dir(dir.path());
        match filter {
            Some(filter) => command.env("RUST_LOG", filter),
            None => command.env_remove("RUST_LOG"),
        };
        let server = ApiServer::start(&mut command);
        let client = reqwest::Client::new();
        for path in ["/api/health", "/api/health/"] {
            let response = client.get(server.url(path)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
        }
        let head = client.head(server.url("/api/health")).send().await.unwrap();
        assert_eq!(head.status(), StatusCode::OK);
        let real = client
            .get(server.url("/api/assets/"))
            .header("X-Request-Id", "a-real-request")
            .send()
            .await
            .unwrap();
        assert_eq!(real.status(), StatusCode::UNAUTHORIZED);
        let line = server
            .process
            .wait_for_line("request_id=a-real-request", Duration::from_secs(10));
        assert!(
            line.is_some_and(|line| line.contains("GET /api/assets/ 401")),
            "{filter:?}: no access line for the real request:\n{}",
            server.process.log()
        );
        let log = server.process.log();
        let checks = log
            .lines()
            .filter(|line| line.contains(" access] ") && line.contains("path=/api/health"))
            .count();
        assert_eq!(checks, checks_logged, "{filter:?}:\n{log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_goes_503_while_postgres_is_down_and_recovers_by_itself() {
    let cluster = tokio::task::spawn_blocking(PgCluster::start_new)
        .await
        .unwrap();
    let db = TestDb::external(cluster.url("postgres"));
    let app = TestApp::spawn_on(db, |options| options.database.database_timeout_secs = 1);
    let user = app.user("outage").await;
    assert_eq!(app.get("/api/health", None).await.status(), StatusCode::OK);

    let cluster = tokio::task::spawn_blocking(move || {
        cluster.stop();
        cluster
    })
    .await
    .unwrap();
    let down = json_of(
        app.get("/api/health", None).await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    assert_eq!(down["database"], "unavailable");
    let refused = app.get("/api/assets/", Some(&user.access)).await;
    assert_eq!(
        json_of(refused, StatusCode::SERVICE_UNAVAILABLE).await["code"],
        "service_unavailable"
    );

    let cluster = tokio::task::spawn_blocking(move || {
        cluster.start();
        cluster
    })
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = app.get("/api/health", None).await.status();
        if status == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "health did not recover; last status {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        app.get("/api/assets/", Some(&user.access)).await.status(),
        StatusCode::OK
    );
    drop(app);
    drop(cluster);
}

/// Pooled connections are not tested before every checkout (that `SELECT 1` doubled the
/// round trips of a request), so one whose server end went away is found by using it: that
/// request answers 503, never 500, the connection is retired, and the pool opens new ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_cut_by_postgres_cost_at_most_a_503_each() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let user = app.user("cut").await;
    // Several requests at once, so the pool holds more than one connection.
    let warm =
        futures_util::future::join_all((0..4).map(|_| app.get("/api/assets/", Some(&user.access))))
            .await;
    assert!(warm.iter().all(|r| r.status() == StatusCode::OK));

    let url = app.database_url().to_owned();
    tokio::task::spawn_blocking(move || {
        execute_sql(
            &url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
    })
    .await
    .unwrap()
    .unwrap();

    let mut statuses = Vec::new();
    // At most one failure per connection the pool held (8), then a working one.
    for _ in 0..10 {
        let response = app.get("/api/assets/", Some(&user.access)).await;
        let status = response.status();
        statuses.push(status);
        if status == StatusCode::OK {
            break;
        }
        assert_eq!(
            json_of(response, StatusCode::SERVICE_UNAVAILABLE).await["code"],
            "service_unavailable",
            "{statuses:?}"
        );
    }
    assert_eq!(statuses.last(), Some(&StatusCode::OK), "{statuses:?}");
}
