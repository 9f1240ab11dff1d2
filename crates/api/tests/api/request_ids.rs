//! Every request's id: taken from `X-Request-Id` when well formed, made otherwise, returned in
//! the response, in every log line of the request and in the body of a server error.

use reqwest::{Response, StatusCode};
use serde_json::Value;
use test_support::process::clean_command;
use test_support::servers::ApiServer;

use crate::helpers::{json_of, Backend, TestApp, PASSWORD};

fn id_of(response: &Response) -> String {
    response
        .headers()
        .get("x-request-id")
        .unwrap_or_else(|| panic!("no X-Request-Id on {response:?}"))
        .to_str()
        .unwrap()
        .to_owned()
}

async fn get_with_id(app: &TestApp, path: &str, id: &str) -> Response {
    app.client
        .get(app.url(path))
        .header("X-Request-Id", id)
        .send()
        .await
        .unwrap()
}

async fn every_response_names_its_request(app: TestApp) {
    let first = id_of(&app.get("/api/health", None).await);
    let second = id_of(&app.get("/api/health", None).await);
    assert_ne!(first, second);
    assert!(
        first.len() == 32 && first.chars().all(|c| c.is_ascii_hexdigit()),
        "{first}"
    );
    for path in ["/api/health", "/api/assets/", "/api/nowhere/"] {
        let given = get_with_id(&app, path, "edge-7f3a:1").await;
        assert_eq!(id_of(&given), "edge-7f3a:1", "{path}");
    }
    let too_long = "a".repeat(129);
    for malformed in ["two words", "quote\"d", too_long.as_str()] {
        let replaced = id_of(&get_with_id(&app, "/api/health", malformed).await);
        assert_ne!(replaced, malformed);
        assert_eq!(replaced.len(), 32);
    }
}

async fn server_errors_name_their_request_in_the_body(backend: Backend) {
    // A history provider that refuses every connection: performance is a 502.
    let app = TestApp::spawn_with(backend, |options| {
        options.portfolio.history_provider = api::cli::HistoryProvider::Stooq;
        options.portfolio.history_url = "http://127.0.0.1:9/q/d/l/".into();
    })
    .await;
    let user = app.user("ann").await;
    let bought = app
        .post(
            "/api/transactions/",
            Some(&user.access),
            serde_json::json!({"type": "BUY", "ticker": "SPY", "date": "2024-01-02", "quantity": "1", "price": "470"}),
        )
        .await;
    assert_eq!(bought.status(), StatusCode::CREATED);
    let unavailable = app
        .client
        .get(app.url("/api/portfolio/performance/?from=2024-01-02&to=2024-01-31"))
        .bearer_auth(&user.access)
        .header("X-Request-Id", "support-ticket-42")
        .send()
        .await
        .unwrap();
    assert_eq!(id_of(&unavailable), "support-ticket-42");
    let body = json_of(unavailable, StatusCode::BAD_GATEWAY).await;
    assert_eq!(body["code"], "bad_gateway");
    assert_eq!(body["request_id"], "support-ticket-42");

    let client_error = json_of(
        get_with_id(&app, "/api/assets/", "support-ticket-43").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(client_error.get("request_id").is_none(), "{client_error}");
}

crate::backend_tests!(every_response_names_its_request);

mod errors {
    crate::per_backend!(server_errors_name_their_request_in_the_body);
    use super::server_errors_name_their_request_in_the_body;
}

/// One request through the real binary with `LOG_FORMAT=json`: every line is a JSON object,
/// and the lines of that request (its handler's and its access line) carry its id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_follow_a_request_by_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = clean_command(env!("CARGO_BIN_EXE_api"));
    command.current_dir(dir.path()).env("LOG_FORMAT", "json");
    let mut server = ApiServer::start(&mut command);
    let registered = reqwest::Client::new()
        .post(server.url("/api/users/"))
        .header("X-Request-Id", "follow-me-1")
        .json(&serde_json::json!({"username": "traced", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    server.process.kill();

    let log = server.process.log();
    let lines: Vec<Value> = log
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"))
        })
        .collect();
    for line in &lines {
        for key in ["time", "level", "target", "message"] {
            assert!(line[key].is_string(), "no {key} in {line}");
        }
    }
    let traced: Vec<&Value> = lines
        .iter()
        .filter(|line| line["request_id"] == "follow-me-1")
        .collect();
    let handler = traced
        .iter()
        .find(|line| {
            line["message"]
                .as_str()
                .unwrap()
                .contains("registered user")
        })
        .unwrap_or_else(|| panic!("the handler's line lacks the id:\n{log}"));
    assert_eq!(handler["path"], "/api/users/");
    let access = traced
        .iter()
        .find(|line| line["target"] == "access")
        .unwrap_or_else(|| panic!("no access line with the id:\n{log}"));
    assert_eq!(access["method"], "POST");
    assert_eq!(access["path"], "/api/users/");
    assert_eq!(access["status"], 201);
    assert_eq!(access["client_ip"], "127.0.0.1");
    assert!(access["duration_ms"].as_f64().is_some(), "{access}");
}
