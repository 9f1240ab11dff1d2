use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::postgres::PgCluster;
use crate::helpers::{json_of, TestApp, TestDb};

async fn health_reports_the_database(app: TestApp) {
    let response = app.get("/api/health", None).await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
}

crate::backend_tests!(health_reports_the_database);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_goes_503_while_postgres_is_down_and_recovers_by_itself() {
    let cluster = tokio::task::spawn_blocking(PgCluster::start_new)
        .await
        .unwrap();
    let db = TestDb::external(cluster.url("postgres"));
    let app = TestApp::spawn_on(db, |options| options.database_timeout_secs = 1);
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
