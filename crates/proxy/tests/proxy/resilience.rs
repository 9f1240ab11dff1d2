use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use test_support::process::Signal;

use crate::helpers::{
    client, proxy_in_front_of, raw_request, start_proxy, wait_for_healthy, web, Behaviour, Stub,
};

#[tokio::test]
async fn killing_one_upstream_mid_run_fails_no_idempotent_request() {
    let web = web();
    let survivor = Stub::start("survivor", Behaviour::Echo).await;
    let victim = Stub::start("victim", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(web.path(), &[&survivor, &victim], &[]).await;
    let client = client();
    let url = proxy.url("/api/x");
    let mut victim = Some(victim);
    let mut failures = Vec::new();
    for round in 0..40 {
        if round == 15 {
            victim.take().unwrap().kill();
        }
        let batch = (0..5).map(|_| client.get(&url).send());
        for result in futures_util::future::join_all(batch).await {
            match result {
                Ok(response) if response.status() == StatusCode::OK => {}
                Ok(response) => failures.push(response.status().to_string()),
                Err(err) => failures.push(err.to_string()),
            }
        }
    }
    assert!(failures.is_empty(), "{failures:?}\n{}", proxy.process.log());
    assert!(survivor.hits() > 100);
}

#[tokio::test]
async fn all_upstreams_down_is_a_json_502_and_recovery_needs_no_restart() {
    let web = web();
    let stub = Stub::start("one", Behaviour::Echo).await;
    let addr = stub.addr;
    let proxy = proxy_in_front_of(web.path(), &[&stub], &[]).await;
    stub.kill();

    let response = client().get(proxy.url("/api/x")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "bad_gateway");
    assert!(
        proxy.process.logged("failed with 502"),
        "the failure is logged"
    );

    let revived = Stub::start_on("revived", addr.ip(), addr.port(), Behaviour::Echo).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let response = client().get(proxy.url("/api/x")).send().await.unwrap();
        if response.status() == StatusCode::OK {
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["server"], "revived");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no recovery: {}",
            proxy.process.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(revived);
}

#[tokio::test]
async fn a_slow_upstream_is_a_json_504() {
    let web = web();
    let slow = Stub::start("slow", Behaviour::Slow(Duration::from_secs(4))).await;
    let proxy = proxy_in_front_of(
        web.path(),
        &[&slow],
        &[("PROXY_UPSTREAM_TIMEOUT_SECS", "1")],
    )
    .await;
    let started = Instant::now();
    let response = client().get(proxy.url("/api/slow")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "gateway_timeout");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "not retried on another attempt"
    );
    assert!(proxy.process.logged("failed with 504"));
}

#[tokio::test]
async fn upstream_names_are_re_resolved_and_every_address_is_used() {
    let web = web();
    let first = Stub::start_on("first", "127.0.0.2".parse().unwrap(), 0, Behaviour::Echo).await;
    let port = first.addr.port();
    let second = Stub::start_on(
        "second",
        "127.0.0.3".parse().unwrap(),
        port,
        Behaviour::Echo,
    )
    .await;
    let hosts = web.path().join("hosts");
    std::fs::write(&hosts, "127.0.0.2 api.test\n").unwrap();
    let proxy = start_proxy(
        web.path(),
        &format!("api.test:{port},nowhere.invalid:80"),
        &[("PROXY_HOSTS_FILE", hosts.to_str().unwrap())],
    );
    wait_for_healthy(&proxy, 1).await;
    let server = |response: Value| response["server"].as_str().unwrap().to_owned();
    let get = || async {
        client()
            .get(proxy.url("/api/x"))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    assert_eq!(server(get().await), "first");

    std::fs::write(&hosts, "127.0.0.3 api.test\n").unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while server(get().await) != "second" {
        assert!(
            Instant::now() < deadline,
            "the new address was never used: {}",
            proxy.process.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    std::fs::write(&hosts, "127.0.0.2 api.test\n127.0.0.3 api.test\n").unwrap();
    wait_for_healthy(&proxy, 2).await;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..10 {
        seen.insert(server(get().await));
    }
    assert_eq!(seen.len(), 2, "both addresses of the name get traffic");
    assert!(proxy.process.logged("nowhere.invalid:80 does not resolve"));
    drop((first, second));
}

#[tokio::test]
async fn sigterm_lets_an_in_flight_request_finish() {
    let web = web();
    let slow = Stub::start("slow", Behaviour::Slow(Duration::from_millis(1500))).await;
    let mut proxy =
        proxy_in_front_of(web.path(), &[&slow], &[("PROXY_SHUTDOWN_GRACE_SECS", "3")]).await;
    let url = proxy.url("/api/slow");
    let in_flight = tokio::spawn(async move { client().get(url).send().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    proxy.process.signal(Signal::Term);
    let response = in_flight
        .await
        .unwrap()
        .expect("the in-flight request completes");
    assert_eq!(response.status(), StatusCode::OK);
    let status = tokio::task::spawn_blocking(move || {
        let status = proxy.process.wait_for_exit(Duration::from_secs(15));
        (status, proxy)
    })
    .await
    .unwrap();
    assert!(status.0.success(), "{}", status.1.process.log());
}

#[tokio::test]
async fn one_dropped_connection_does_not_take_the_only_upstream_out() {
    let web = web();
    let stub = Stub::start("only", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(web.path(), &[&stub], &[]).await;
    let client = client();
    let dropped = client
        .post(proxy.url("/api/drop"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(
        dropped.status(),
        StatusCode::BAD_GATEWAY,
        "a POST is never replayed"
    );
    for _ in 0..5 {
        let response = client.get(proxy.url("/api/x")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{}", proxy.process.log());
    }
}

#[tokio::test]
async fn a_malformed_client_request_is_a_400_not_an_upstream_failure() {
    let web = web();
    let stub = Stub::start("only", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(web.path(), &[&stub], &[]).await;
    let port = proxy.port();
    let response = tokio::task::spawn_blocking(move || {
        raw_request(
            port,
            "GET /api/e HTTP/1.1\r\nHost: t\r\nConnection: close, X-Forwarded-For\r\n\r\n",
        )
    })
    .await
    .unwrap();
    let status = response.lines().next().unwrap_or_default().to_owned();
    assert!(
        !status.contains(" 502"),
        "{status}\n{}",
        proxy.process.log()
    );
    assert!(
        status.contains(" 400"),
        "a clear refusal, not a dropped connection: {status:?}"
    );
}
