//! Every request's id: made by the proxy (or taken from a trusted load balancer), sent
//! upstream, returned to the client, in the access line and in the body of a server error.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::helpers::{client, proxy_in_front_of, web, Behaviour, Stub};

fn id_of(response: &Response) -> String {
    response
        .headers()
        .get("x-request-id")
        .unwrap_or_else(|| panic!("no X-Request-Id on {response:?}"))
        .to_str()
        .unwrap()
        .to_owned()
}

fn is_generated(id: &str) -> bool {
    id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit())
}

async fn echo_with_id(proxy_url: String, id: &str) -> (String, Value) {
    let response = client()
        .get(proxy_url)
        .header("x-request-id", id)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let returned = id_of(&response);
    let echo: Value = response.json().await.unwrap();
    let sent = echo["headers"]["x-request-id"].as_array().unwrap();
    assert_eq!(sent.len(), 1, "one id upstream: {echo}");
    assert_eq!(sent[0], returned.as_str(), "upstream and client see one id");
    (returned, echo)
}

#[tokio::test]
async fn every_response_names_its_request_and_the_upstream_gets_the_same_id() {
    let web = web();
    let stub = Stub::start("one", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(web.path(), &[&stub], &[]).await;

    // A client is no load balancer: its own id is replaced.
    let (id, _) = echo_with_id(proxy.url("/api/echo"), "client-made-1").await;
    assert!(is_generated(&id), "{id}");
    assert!(
        proxy
            .process
            .wait_for_line(&format!("request_id={id}"), Duration::from_secs(10))
            .is_some_and(|line| line.contains("status=200")),
        "the access line names the request:\n{}",
        proxy.process.log()
    );

    let mut ids = vec![id];
    for path in ["/", "/healthz", "/missing.css", "/api/echo"] {
        let response = client().get(proxy.url(path)).send().await.unwrap();
        ids.push(id_of(&response));
    }
    assert!(ids.iter().all(|id| is_generated(id)), "{ids:?}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "a new id for every request");
}

#[tokio::test]
async fn a_trusted_load_balancers_well_formed_id_is_kept() {
    let web = web();
    let stub = Stub::start("one", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(web.path(), &[&stub], &[("PROXY_TRUST_FORWARDED", "true")]).await;
    let (kept, _) = echo_with_id(proxy.url("/api/echo"), "lb-7f3a:1").await;
    assert_eq!(kept, "lb-7f3a:1");
    let (replaced, _) = echo_with_id(proxy.url("/api/echo"), "two words").await;
    assert!(is_generated(&replaced), "{replaced}");
}

#[tokio::test]
async fn a_server_error_names_its_request_in_the_body() {
    let web = web();
    let stub = Stub::start("one", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(web.path(), &[&stub], &[]).await;
    stub.kill();
    let response = client().get(proxy.url("/api/x")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let id = id_of(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "bad_gateway");
    assert_eq!(body["request_id"], id.as_str());
}
