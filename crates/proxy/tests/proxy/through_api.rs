//! The real API behind the proxy: the user stories of the API work unchanged through it.

use reqwest::StatusCode;
use serde_json::{json, Value};
use test_support::process::clean_command;
use test_support::servers::{ApiServer, ProxyServer};
use test_support::workspace;

use crate::helpers::{client, start_proxy, wait_for_healthy, web};

/// The proxy checks the api every second here and the tests check the proxy: at the binaries'
/// default level neither access log shows a passing health check, and both show real requests.
#[tokio::test]
async fn passing_health_checks_stay_out_of_both_access_logs() {
    let web = web();
    let api_dir = tempfile::tempdir().unwrap();
    let api = ApiServer::start(
        clean_command(workspace::binary("api"))
            .current_dir(api_dir.path())
            .env_remove("RUST_LOG"),
    );
    let proxy = ProxyServer::start(
        clean_command(env!("CARGO_BIN_EXE_proxy")).env_remove("RUST_LOG"),
        web.path(),
        &api.address.to_string(),
    );
    // Healthy means the proxy's active check of the api has passed at least once.
    wait_for_healthy(&proxy, 1).await;
    let client = client();
    for path in ["/healthz", "/api/health"] {
        let response = client.get(proxy.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let real = client.get(proxy.url("/api/assets/")).send().await.unwrap();
    assert_eq!(real.status(), StatusCode::UNAUTHORIZED);
    let id = real.headers()["x-request-id"].to_str().unwrap().to_owned();
    let limit = std::time::Duration::from_secs(10);
    for (service, process) in [("api", &api.process), ("proxy", &proxy.process)] {
        assert!(
            process
                .wait_for_line(&format!(" 401 request_id={id}"), limit)
                .is_some(),
            "the {service}'s access log lacks the real request {id}:\n{}",
            process.log()
        );
        let log = process.log();
        let checks: Vec<&str> = log
            .lines()
            .filter(|line| line.contains(" access] "))
            .filter(|line| line.contains("path=/api/health") || line.contains("path=/healthz"))
            .collect();
        assert!(
            checks.is_empty(),
            "the {service} logged health checks: {checks:#?}"
        );
    }
}

#[tokio::test]
async fn the_api_works_through_the_proxy_on_both_path_styles() {
    let web = web();
    // On the default SQLite file, created in its own working folder.
    let api_dir = tempfile::tempdir().unwrap();
    let api = ApiServer::start(
        clean_command(workspace::binary("api"))
            .current_dir(api_dir.path())
            .env("API_WORKERS", "2"),
    );
    let proxy = start_proxy(web.path(), &api.address.to_string(), &[]);
    wait_for_healthy(&proxy, 1).await;
    let client = client();

    let health: Value = client
        .get(proxy.url("/api/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["database"], "ok");
    let registered = client
        .post(proxy.url("/portfolio/api/users/"))
        .json(&json!({"username": "proxied", "password": "long enough password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    // One request, followed through both access logs by the id the client got back.
    let id = registered.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let limit = std::time::Duration::from_secs(10);
    for (service, log) in [("api", &api.process), ("proxy", &proxy.process)] {
        assert!(
            log.wait_for_line(&format!(" 201 request_id={id}"), limit)
                .is_some(),
            "the {service}'s access line lacks {id}:\n{}",
            log.log()
        );
    }
    let tokens: Value = client
        .post(proxy.url("/api/token/"))
        .json(&json!({"username": "proxied", "password": "long enough password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = tokens["access"].as_str().unwrap();
    let created: Value = client
        .post(proxy.url("/api/assets/"))
        .bearer_auth(access)
        .json(&json!({"ticker": "vti", "shares": "0.1", "costbasis": "200", "buy": "2024-01-02"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created["shares"], "0.10000");
    let fetched = client
        .get(proxy.url(&format!("/portfolio/api/asset/{}/", created["id"])))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.status(), StatusCode::OK);
    let missing = client.get(proxy.url("/api/nothing/")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(
        body["code"], "not_found",
        "the API's own 404, not the app shell"
    );
    let unauthenticated = client.get(proxy.url("/api/assets/")).send().await.unwrap();
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);

    // The api's metrics are for its operators, on its own listener: the proxy never forwards
    // them (whatever it answers, it is not the api's text).
    let direct = client.get(api.url("/metrics")).send().await.unwrap();
    assert_eq!(direct.status(), StatusCode::OK);
    assert!(direct
        .text()
        .await
        .unwrap()
        .contains("api_http_requests_total"));
    let through = client.get(proxy.url("/metrics")).send().await.unwrap();
    assert!(
        !through
            .text()
            .await
            .unwrap()
            .contains("api_http_requests_total"),
        "the proxy forwarded /metrics to the api"
    );
}
