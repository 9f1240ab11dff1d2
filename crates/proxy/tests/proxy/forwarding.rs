use reqwest::StatusCode;
use serde_json::{json, Value};

use test_support::ports::ReservedPort;
use test_support::process::clean_command;

use crate::helpers::{
    client, proxy_in_front_of, raw_request, start_proxy, wait_for_healthy, web, Behaviour, Stub,
};

#[tokio::test]
async fn api_requests_reach_the_upstream_unchanged_with_forwarding_headers() {
    let web = web();
    let stub = Stub::start("one", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(web.path(), &[&stub], &[]).await;

    let response = client()
        .patch(proxy.url("/portfolio/api/asset/7/?a=1&b=%20x"))
        .header("host", "shop.example:8443")
        .header("x-forwarded-for", "203.0.113.9")
        .header("x-forwarded-proto", "https")
        .header("authorization", "Bearer abc")
        .header("content-type", "application/json")
        .body(r#"{"shares":"1.5"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let echo: Value = response.json().await.unwrap();
    assert_eq!(echo["method"], "PATCH");
    assert_eq!(echo["path"], "/portfolio/api/asset/7/?a=1&b=%20x");
    assert_eq!(echo["body_len"], 16);
    let headers = &echo["headers"];
    assert_eq!(headers["host"][0], "shop.example:8443");
    assert_eq!(
        headers["x-forwarded-for"][0], "127.0.0.1",
        "the client's own X-Forwarded-For is replaced by its address"
    );
    assert_eq!(
        headers["x-forwarded-proto"][0], "http",
        "an untrusted client cannot claim https"
    );
    assert_eq!(headers["x-forwarded-host"][0], "shop.example:8443");
    assert_eq!(headers["authorization"][0], "Bearer abc");
}

#[tokio::test]
async fn hop_by_hop_headers_stop_at_the_proxy() {
    let web = web();
    let stub = Stub::start("one", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(web.path(), &[&stub], &[]).await;
    let port = proxy.port();
    // The stub runs on this test's runtime, so the blocking exchange goes to another thread.
    let response = tokio::task::spawn_blocking(move || raw_request(
        port,
        "GET /api/echo HTTP/1.1\r\nHost: t\r\nConnection: close, X-Hop-Secret\r\nX-Hop-Secret: 1\r\nKeep-Alive: timeout=5\r\nProxy-Authorization: Basic eA==\r\nTE: trailers\r\nX-End-To-End: kept\r\n\r\n",
    ))
    .await
    .unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    let body = body.trim_start_matches(|c: char| c.is_ascii_hexdigit() || c == '\r' || c == '\n');
    let echo: Value = serde_json::from_str(body.split("\r\n").next().unwrap())
        .unwrap_or_else(|_| panic!("{response}\n{}", proxy.process.log()));
    let headers = echo["headers"].as_object().unwrap();
    for hop in ["x-hop-secret", "keep-alive", "proxy-authorization", "te"] {
        assert!(
            !headers.contains_key(hop),
            "{hop} was forwarded: {headers:?}"
        );
    }
    assert_eq!(headers["x-end-to-end"][0], "kept");
}

#[tokio::test]
async fn a_client_cannot_choose_the_address_the_upstream_and_the_log_see() {
    let web = web();
    let stub = Stub::start("one", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(web.path(), &[&stub], &[]).await;
    let echo: Value = client()
        .get(proxy.url("/api/whoami"))
        .header("x-forwarded-for", "203.0.113.9")
        .header("x-real-ip", "203.0.113.9")
        .header("forwarded", "for=203.0.113.9;proto=https")
        .header("x-forwarded-host", "evil.example")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let headers = &echo["headers"];
    assert_eq!(headers["x-forwarded-for"], json!(["127.0.0.1"]));
    assert_eq!(headers["x-real-ip"], json!(["127.0.0.1"]));
    assert!(headers.get("forwarded").is_none(), "{headers}");
    assert_ne!(headers["x-forwarded-host"][0], "evil.example");
    assert!(
        proxy
            .process
            .logged("path=/api/whoami client_ip=127.0.0.1 "),
        "{}",
        proxy.process.log()
    );
    assert!(!proxy.process.log().contains("203.0.113.9"));
}

#[tokio::test]
async fn behind_a_trusted_proxy_its_forwarded_client_is_the_one_seen() {
    let web = web();
    let stub = Stub::start("one", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(
        web.path(),
        &[&stub],
        &[("PROXY_TRUSTED_PROXIES", "127.0.0.0/8, 10.0.0.0/8")],
    )
    .await;
    let echo: Value = client()
        .get(proxy.url("/api/whoami"))
        .header("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.3.4")
        .header("forwarded", "for=198.51.100.7")
        .header("x-forwarded-proto", "https")
        .header("x-request-id", "alb-1-5f2b")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let headers = &echo["headers"];
    assert_eq!(
        headers["x-forwarded-for"][0], "6.6.6.6, 198.51.100.7, 10.0.3.4, 127.0.0.1",
        "the chain is kept"
    );
    assert_eq!(
        headers["x-real-ip"][0], "198.51.100.7",
        "the right-most address that is not a trusted proxy"
    );
    assert_eq!(headers["forwarded"][0], "for=198.51.100.7");
    assert_eq!(headers["x-forwarded-proto"][0], "https");
    assert_eq!(
        headers["x-request-id"][0], "alb-1-5f2b",
        "its request id is kept"
    );
    assert!(
        proxy
            .process
            .logged("path=/api/whoami client_ip=198.51.100.7 "),
        "{}",
        proxy.process.log()
    );
}

#[tokio::test]
async fn trusting_every_peer_keeps_its_headers_and_believes_its_last_hop() {
    let web = web();
    let stub = Stub::start("one", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(web.path(), &[&stub], &[("PROXY_TRUST_FORWARDED", "true")]).await;
    let echo: Value = client()
        .get(proxy.url("/api/x"))
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "www.example.com")
        .header("x-forwarded-for", "6.6.6.6, 198.51.100.7")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(echo["headers"]["x-forwarded-proto"][0], "https");
    assert_eq!(echo["headers"]["x-forwarded-host"][0], "www.example.com");
    assert_eq!(echo["headers"]["x-real-ip"][0], "198.51.100.7");
}

#[tokio::test]
async fn large_request_bodies_are_streamed_through() {
    let web = web();
    let stub = Stub::start("one", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(web.path(), &[&stub], &[]).await;
    let chunk: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    let chunks = 160;
    let expected_sum: u64 = chunk.iter().map(|b| u64::from(*b)).sum::<u64>() * chunks;
    let stream = futures_util::stream::iter(
        (0..chunks).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
    );
    let response = client()
        .post(proxy.url("/api/upload"))
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let echo: Value = response.json().await.unwrap();
    assert_eq!(echo["body_len"], 160 * 64 * 1024);
    assert_eq!(echo["body_sum"], expected_sum);
}

#[tokio::test]
async fn requests_are_spread_round_robin() {
    let web = web();
    let first = Stub::start("first", Behaviour::Echo).await;
    let second = Stub::start("second", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(web.path(), &[&first, &second], &[]).await;
    let client = client();
    for _ in 0..20 {
        assert_eq!(
            client
                .get(proxy.url("/api/x"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
    }
    assert_eq!(first.hits() + second.hits(), 20);
    assert!(
        first.hits().abs_diff(second.hits()) <= 2,
        "{} vs {}",
        first.hits(),
        second.hits()
    );
}

#[tokio::test]
async fn the_proxy_reports_its_own_health() {
    let web = web();
    let stub = Stub::start("one", Behaviour::Echo).await;
    let proxy = start_proxy(web.path(), &format!("{},127.0.0.1:9", stub.addr), &[]);
    wait_for_healthy(&proxy, 1).await;
    let body: Value = client()
        .get(proxy.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["upstreams_total"], 2);
    assert_eq!(body["upstreams_healthy"], 1);
    assert_eq!(stub.hits(), 0, "the health endpoint is not forwarded");

    let probe = |port: u16| {
        clean_command(env!("CARGO_BIN_EXE_proxy"))
            .arg("healthcheck")
            .env("PROXY_LISTEN", format!("0.0.0.0:{port}"))
            .output()
            .unwrap()
    };
    assert!(
        probe(proxy.port()).status.success(),
        "the container health check passes"
    );
    let nobody = ReservedPort::new();
    assert!(!probe(nobody.port()).status.success());
}
