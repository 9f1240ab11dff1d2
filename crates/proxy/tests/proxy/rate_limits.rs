use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{client, proxy_in_front_of, web, Behaviour, Stub};

/// Asserts `response` is the proxy's 429 and returns its `Retry-After` seconds.
async fn throttled(response: Response) -> u64 {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["content-type"], "application/json");
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in whole seconds");
    assert!(retry_after >= 1, "{retry_after}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "throttled");
    assert!(body["detail"].as_str().unwrap().contains("throttled"));
    retry_after
}

#[tokio::test]
async fn logins_and_registrations_past_their_limit_get_a_429_on_both_path_styles() {
    let web = web();
    let stub = Stub::start("api", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(
        web.path(),
        &[&stub],
        &[
            ("PROXY_RATE_LOGIN_PER_MIN", "1"),
            ("PROXY_RATE_LOGIN_BURST", "2"),
        ],
    )
    .await;
    let client = client();
    let login = json!({"username": "u", "password": "p"});
    for path in ["/api/token/", "/portfolio/api/users/"] {
        let response = client
            .post(proxy.url(path))
            .json(&login)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    for path in ["/portfolio/api/token/", "/api/users", "/api//token/"] {
        let response = client
            .post(proxy.url(path))
            .json(&login)
            .send()
            .await
            .unwrap();
        let retry_after = throttled(response).await;
        assert!(retry_after <= 60, "one login a minute: {retry_after}");
    }
    assert_eq!(stub.hits(), 2, "throttled requests never reach the api");
    let other = client.get(proxy.url("/api/assets/")).send().await.unwrap();
    assert_eq!(
        other.status(),
        StatusCode::OK,
        "other API calls are not logins"
    );
    let refresh = client
        .post(proxy.url("/api/token/refresh/"))
        .json(&json!({"refresh": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refresh.status(), StatusCode::OK);
}

#[tokio::test]
async fn api_calls_and_static_files_have_limits_of_their_own() {
    let web = web();
    let stub = Stub::start("api", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(
        web.path(),
        &[&stub],
        &[
            ("PROXY_RATE_API_PER_SEC", "1"),
            ("PROXY_RATE_API_BURST", "3"),
            ("PROXY_RATE_STATIC_PER_SEC", "1"),
            ("PROXY_RATE_STATIC_BURST", "3"),
        ],
    )
    .await;
    let client = client();
    for path in ["/api/assets/", "/"] {
        let mut statuses = Vec::new();
        let mut throttled_responses = Vec::new();
        for _ in 0..12 {
            let response = client.get(proxy.url(path)).send().await.unwrap();
            statuses.push(response.status());
            if response.status() == StatusCode::TOO_MANY_REQUESTS {
                throttled_responses.push(response);
            }
        }
        assert!(
            statuses[..3].iter().all(|status| *status == StatusCode::OK),
            "{path}: the burst is served: {statuses:?}"
        );
        assert!(
            !throttled_responses.is_empty(),
            "{path}: past the burst, 429s: {statuses:?}"
        );
        for response in throttled_responses {
            throttled(response).await;
        }
    }
    for _ in 0..20 {
        let health = client.get(proxy.url("/healthz")).send().await.unwrap();
        assert_eq!(
            health.status(),
            StatusCode::OK,
            "the health endpoint is never limited"
        );
    }
}

#[tokio::test]
async fn a_limit_of_zero_is_off() {
    let web = web();
    let stub = Stub::start("api", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(
        web.path(),
        &[&stub],
        &[
            ("PROXY_RATE_LOGIN_PER_MIN", "0"),
            ("PROXY_RATE_LOGIN_BURST", "0"),
            ("PROXY_RATE_API_PER_SEC", "0"),
            ("PROXY_RATE_STATIC_PER_SEC", "0"),
        ],
    )
    .await;
    let client = client();
    for _ in 0..30 {
        let login = client
            .post(proxy.url("/api/token/"))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), StatusCode::OK);
    }
    for path in ["/api/assets/", "/"] {
        for _ in 0..100 {
            let response = client.get(proxy.url(path)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
        }
    }
}

#[tokio::test]
async fn each_client_has_its_own_buckets_and_cannot_name_itself_a_new_one() {
    let web = web();
    let stub = Stub::start("api", Behaviour::Echo).await;
    let limit = [
        ("PROXY_RATE_LOGIN_PER_MIN", "1"),
        ("PROXY_RATE_LOGIN_BURST", "1"),
    ];
    let login = |proxy: &test_support::servers::ProxyServer, forwarded_for: &str| {
        client()
            .post(proxy.url("/api/token/"))
            .header("x-forwarded-for", forwarded_for)
            .json(&json!({}))
            .send()
    };

    let behind_lb = proxy_in_front_of(
        web.path(),
        &[&stub],
        &[&limit[..], &[("PROXY_TRUSTED_PROXIES", "127.0.0.1")]].concat(),
    )
    .await;
    let first = login(&behind_lb, "198.51.100.1").await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    throttled(login(&behind_lb, "198.51.100.1").await.unwrap()).await;
    let other_client = login(&behind_lb, "198.51.100.2").await.unwrap();
    assert_eq!(
        other_client.status(),
        StatusCode::OK,
        "another client behind the same load balancer"
    );

    let direct = proxy_in_front_of(web.path(), &[&stub], &limit).await;
    let first = login(&direct, "198.51.100.1").await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    throttled(login(&direct, "198.51.100.2").await.unwrap()).await;
}
