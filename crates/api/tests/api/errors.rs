use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, TestApp};

/// Checks the status, that the body is a JSON object with `detail` and `code`, and that the
/// security headers are present.
async fn json_error(response: Response, status: StatusCode) -> Value {
    assert_security_headers(&response);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let body = json_of(response, status).await;
    assert!(
        body["detail"].is_string() && body["code"].is_string(),
        "{body}"
    );
    body
}

fn assert_security_headers(response: &Response) {
    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers.contains_key("referrer-policy"));
}

async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Response {
    let mut request = app.client.request(method, app.url(path)).body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    request.send().await.unwrap()
}

async fn unknown_routes_are_json_404s(app: TestApp) {
    for path in [
        "/nope",
        "/api/nope/",
        "/api/assets/1/extra/",
        "/portfolio/api/nothing",
    ] {
        let body = json_error(app.get(path, None).await, StatusCode::NOT_FOUND).await;
        assert_eq!(body["code"], "not_found");
    }
}

async fn wrong_methods_are_json_405s(app: TestApp) {
    let cases = [
        (Method::GET, "/api/users/"),
        (Method::DELETE, "/api/assets/"),
        (Method::POST, "/api/health"),
        (Method::GET, "/api/token/"),
    ];
    for (method, path) in cases {
        let body = json_error(
            app.request(method.clone(), path, None, None).await,
            StatusCode::METHOD_NOT_ALLOWED,
        )
        .await;
        assert_eq!(body["code"], "method_not_allowed", "{method} {path}");
    }
}

async fn malformed_and_non_object_json_are_400s(app: TestApp) {
    for body in [
        &b"{not json"[..],
        b"{\"username\": ",
        b"\xff\xfe",
        b"[1, 2, 3]",
        b"\"text\"",
        b"42",
        b"null",
    ] {
        let response = raw(
            &app,
            Method::POST,
            "/api/users/",
            Some("application/json"),
            body.to_vec(),
        )
        .await;
        json_error(response, StatusCode::BAD_REQUEST).await;
    }
    let array_of_fields = json!(["alice", "password123", ""]);
    let response = app.post("/api/users/", None, array_of_fields).await;
    json_error(response, StatusCode::BAD_REQUEST).await;
}

async fn deeply_nested_json_is_a_400(app: TestApp) {
    let depth = 100_000;
    let body = format!("{{\"a\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
    let response = raw(
        &app,
        Method::POST,
        "/api/users/",
        Some("application/json"),
        body.into_bytes(),
    )
    .await;
    json_error(response, StatusCode::BAD_REQUEST).await;
}

async fn other_content_types_are_415s(app: TestApp) {
    let form = b"username=a&password=b".to_vec();
    for content_type in [
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
        None,
    ] {
        let response = raw(
            &app,
            Method::POST,
            "/api/users/",
            content_type,
            form.clone(),
        )
        .await;
        let body = json_error(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
        assert_eq!(body["code"], "unsupported_media_type");
    }
    let json_with_charset = raw(
        &app,
        Method::POST,
        "/api/users/",
        Some("application/json; charset=utf-8"),
        br#"{"username": "charset", "password": "long enough pw"}"#.to_vec(),
    )
    .await;
    assert_eq!(json_with_charset.status(), StatusCode::CREATED);
}

async fn bodies_over_one_mebibyte_are_413s(app: TestApp) {
    let big = format!("{{\"username\": \"{}\"}}", "a".repeat(1024 * 1024));
    let response = raw(
        &app,
        Method::POST,
        "/api/users/",
        Some("application/json"),
        big.into_bytes(),
    )
    .await;
    json_error(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    let streamed = app
        .client
        .post(app.url("/api/users/"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            (0..20).map(|_| Ok::<_, std::io::Error>(vec![b' '; 64 * 1024])),
        )))
        .send()
        .await
        .unwrap();
    json_error(streamed, StatusCode::PAYLOAD_TOO_LARGE).await;
}

async fn every_response_carries_security_headers(app: TestApp) {
    assert_security_headers(&app.get("/api/health", None).await);
    let user = app.user("hal").await;
    assert_security_headers(&app.get("/api/assets/", Some(&user.access)).await);
    assert_security_headers(&app.get("/api/assets/", None).await);
}

async fn trailing_slashes_are_optional(app: TestApp) {
    let user = app.user("ida").await;
    assert_eq!(
        app.get("/api/assets", Some(&user.access)).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.get("/api/health/", None).await.status(), StatusCode::OK);
}

async fn cors_allows_only_configured_origins(app: TestApp) {
    let preflight = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, app.url("/api/assets/"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let allowed = preflight("http://localhost:8080").await.unwrap();
    assert!(allowed.status().is_success());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://localhost:8080"
    );
    let foreign = preflight("https://evil.example").await.unwrap();
    assert!(!foreign
        .headers()
        .contains_key("access-control-allow-origin"));
}

crate::backend_tests!(
    unknown_routes_are_json_404s,
    wrong_methods_are_json_405s,
    malformed_and_non_object_json_are_400s,
    deeply_nested_json_is_a_400,
    other_content_types_are_415s,
    bodies_over_one_mebibyte_are_413s,
    every_response_carries_security_headers,
    trailing_slashes_are_optional,
    cors_allows_only_configured_origins,
);
