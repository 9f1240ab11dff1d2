//! The metrics listener (`PROXY_METRICS_LISTEN`): off unless set, `GET /metrics` in a format
//! `promtool check metrics` accepts, counters that move with each class of request, and the
//! bounds every listener has.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use test_support::promtool::promtool_accepts;
use test_support::servers::ProxyServer;

use crate::helpers::{client, proxy_in_front_of, raw_request, start_proxy, web, Behaviour, Stub};
use crate::tls::{https_client, start_https, TestCa};

const METRICS_LINE: &str = "proxy metrics on http://";

/// Where the proxy's metrics listener is, once it accepts connections (pingora binds it after
/// the proxy has logged it).
fn metrics_address(proxy: &ProxyServer) -> std::net::SocketAddr {
    let line = proxy
        .process
        .wait_for_line(METRICS_LINE, Duration::from_secs(10))
        .unwrap_or_else(|| panic!("no metrics listener:\n{}", proxy.process.log()));
    let rest = &line[line.find(METRICS_LINE).unwrap() + METRICS_LINE.len()..];
    let address = rest
        .split('/')
        .next()
        .and_then(|address| address.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the metrics listener never accepted"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    address
}

/// The proxy's metrics, after checking the response and that promtool accepts the text.
async fn scrape(proxy: &ProxyServer) -> String {
    let url = format!("http://{}/metrics", metrics_address(proxy));
    let response = client().get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    promtool_accepts(&text);
    text
}

/// The value of the sample `series` (`name{label="value",...}` exactly as exposed), or 0 when
/// it is not exposed.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            (name == series).then(|| value.parse().unwrap())
        })
        .unwrap_or(0.0)
}

/// The sum of every sample of metric `name`, whatever its labels.
fn total(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|line| {
            line.starts_with(&format!("{name}{{")) || line.starts_with(&format!("{name} "))
        })
        .filter_map(|line| line.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

fn requests(text: &str, class: &str, status: u16) -> f64 {
    sample(
        text,
        &format!("proxy_http_requests_total{{class=\"{class}\",status=\"{status}\"}}"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_setting_there_are_no_metrics_and_the_main_listener_never_serves_them() {
    let web = web();
    for env in [&[][..], &[("PROXY_METRICS_LISTEN", "")][..]] {
        let proxy = start_proxy(web.path(), "127.0.0.1:9", env);
        let response = client().get(proxy.url("/metrics")).send().await.unwrap();
        // A static path like any other: the app shell.
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.text().await.unwrap();
        assert!(body.contains("<title>shell</title>"), "{body}");
        assert!(!body.contains("proxy_"), "{body}");
        assert!(
            !proxy.process.logged(METRICS_LINE),
            "{}",
            proxy.process.log()
        );
    }
    let proxy = start_proxy(
        web.path(),
        "127.0.0.1:9",
        &[("PROXY_METRICS_LISTEN", "127.0.0.1:0")],
    );
    metrics_address(&proxy);
    let body = reqwest::get(proxy.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!body.contains("proxy_"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_move_for_static_api_redirect_and_health_requests() {
    let web = web();
    let (a, b) = (
        Stub::start("a", Behaviour::Echo).await,
        Stub::start("b", Behaviour::Echo).await,
    );
    let proxy = proxy_in_front_of(
        web.path(),
        &[&a, &b],
        &[
            ("PROXY_METRICS_LISTEN", "127.0.0.1:0"),
            ("PROXY_CANONICAL_HOST", "fattore.test"),
            ("PROXY_HOST_ALIASES", "www.fattore.test"),
            ("PROXY_UNKNOWN_HOST", "allow"),
            // A dropped connection must not take an upstream out of the next request's way.
            ("PROXY_PASSIVE_COOLDOWN_SECS", "0"),
        ],
    )
    .await;
    let before = scrape(&proxy).await;
    for upstream in [a.addr, b.addr] {
        let healthy = format!("proxy_upstream_healthy{{upstream=\"{upstream}\"}}");
        assert_eq!(sample(&before, &healthy), 1.0, "{before}");
    }

    let client = client();
    for _ in 0..2 {
        let page = client.get(proxy.url("/")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
    }
    let missing = client
        .get(proxy.url("/app-missing.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let api = client.get(proxy.url("/api/things/")).send().await.unwrap();
    assert_eq!(api.status(), StatusCode::OK);
    let redirect = client
        .get(proxy.url("/"))
        .header("host", "www.fattore.test")
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), StatusCode::PERMANENT_REDIRECT);
    let health = client.get(proxy.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    // Both upstreams drop it: retried once on the other, then a 502.
    let dropped = client.get(proxy.url("/api/drop")).send().await.unwrap();
    assert_eq!(dropped.status(), StatusCode::BAD_GATEWAY);

    // One connection held open while the scrape runs.
    let held = std::net::TcpStream::connect(proxy.address).unwrap();
    // A request is counted when its handling ends, just after its response is written, so the
    // client may see the last answer before its count lands: wait for it, boundedly.
    let counted = Instant::now() + Duration::from_secs(5);
    let after = loop {
        let after = scrape(&proxy).await;
        if requests(&after, "api", 502) > requests(&before, "api", 502) || Instant::now() > counted
        {
            break after;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let moved = |class, status| requests(&after, class, status) - requests(&before, class, status);
    assert_eq!(moved("static", 200), 2.0, "{after}");
    assert_eq!(moved("static", 404), 1.0, "{after}");
    assert_eq!(moved("api", 200), 1.0, "{after}");
    assert_eq!(moved("api", 502), 1.0, "{after}");
    assert_eq!(moved("redirect", 308), 1.0, "{after}");
    assert!(moved("health", 200) >= 1.0, "{after}");
    let durations = |text: &str, class: &str| {
        sample(
            text,
            &format!("proxy_http_request_duration_seconds_count{{class=\"{class}\"}}"),
        )
    };
    assert_eq!(
        durations(&after, "static") - durations(&before, "static"),
        3.0
    );
    assert_eq!(durations(&after, "api") - durations(&before, "api"), 2.0);

    let lookups = |text: &str, cache: &str, result: &str| {
        sample(
            text,
            &format!("proxy_static_cache_lookups_total{{cache=\"{cache}\",result=\"{result}\"}}"),
        )
    };
    assert!(lookups(&after, "path", "hit") >= 1.0, "{after}");
    assert!(lookups(&after, "path", "miss") >= 1.0, "{after}");
    assert!(lookups(&after, "body", "hit") >= 1.0, "{after}");
    assert!(lookups(&after, "body", "miss") >= 1.0, "{after}");

    let responses: f64 = [a.addr, b.addr]
        .iter()
        .map(|upstream| {
            sample(
                &after,
                &format!("proxy_upstream_response_seconds_count{{upstream=\"{upstream}\"}}"),
            )
        })
        .sum();
    assert_eq!(
        responses, 1.0,
        "the echo; the drops sent no response\n{after}"
    );
    assert_eq!(
        total(&after, "proxy_upstream_retries_total"),
        1.0,
        "{after}"
    );
    assert!(sample(&after, "proxy_connections_open") >= 1.0, "{after}");
    drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_upstream_reads_unhealthy() {
    let web = web();
    let stub = Stub::start("a", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(
        web.path(),
        &[&stub],
        &[("PROXY_METRICS_LISTEN", "127.0.0.1:0")],
    )
    .await;
    let healthy = format!("proxy_upstream_healthy{{upstream=\"{}\"}}", stub.addr);
    assert_eq!(sample(&scrape(&proxy).await, &healthy), 1.0);
    stub.kill();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = scrape(&proxy).await;
        if sample(&text, &healthy) == 0.0 && text.contains(&healthy) {
            break;
        }
        assert!(Instant::now() < deadline, "still healthy:\n{text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshakes_and_certificate_expiry_are_reported() {
    let web = web();
    let ca = TestCa::new();
    ca.issue(web.path(), "site", &["fattore.test"]);
    let proxy = start_https(
        web.path(),
        &["site"],
        "127.0.0.1:9",
        &[("PROXY_METRICS_LISTEN", "127.0.0.1:0")],
    );
    let tls_port = proxy.tls_port();
    let before = scrape(&proxy).await;
    let https = https_client(&ca, tls_port, &["fattore.test", "unknown.test"], true);
    let page = https
        .get(format!("https://fattore.test:{tls_port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let refused = https
        .get(format!("https://unknown.test:{tls_port}/"))
        .send()
        .await;
    assert!(refused.is_err(), "{refused:?}");
    // Plain HTTP goes to HTTPS.
    let upgrade = client().get(proxy.url("/")).send().await.unwrap();
    assert!(upgrade.status().is_redirection(), "{upgrade:?}");

    let after = scrape(&proxy).await;
    let handshakes = |text: &str, outcome: &str| {
        sample(
            text,
            &format!("proxy_tls_handshakes_total{{outcome=\"{outcome}\"}}"),
        )
    };
    assert_eq!(
        handshakes(&after, "ok") - handshakes(&before, "ok"),
        1.0,
        "{after}"
    );
    assert_eq!(
        handshakes(&after, "no_certificate") - handshakes(&before, "no_certificate"),
        1.0,
        "{after}"
    );
    let status = upgrade.status().as_u16();
    assert_eq!(
        requests(&after, "redirect", status) - requests(&before, "redirect", status),
        1.0
    );
    assert_eq!(
        requests(&after, "static", 200) - requests(&before, "static", 200),
        1.0
    );
    // rcgen's certificates are valid until 4096.
    let expiry = sample(
        &after,
        "proxy_tls_certificate_expiry_seconds{name=\"fattore.test\"}",
    );
    assert!(expiry > 365.0 * 86_400.0, "{after}");
}

#[test]
fn the_metrics_listener_answers_get_metrics_and_nothing_else() {
    let web = web();
    let proxy = start_proxy(
        web.path(),
        "127.0.0.1:9",
        &[("PROXY_METRICS_LISTEN", "127.0.0.1:0")],
    );
    let port = metrics_address(&proxy).port();
    let status = |raw: &str| {
        let response = raw_request(port, raw);
        response
            .split_whitespace()
            .nth(1)
            .unwrap_or_else(|| panic!("no status in {response:?}"))
            .to_owned()
    };
    let get = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert_eq!(status(get), "200");
    let head = raw_request(
        port,
        "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(!head.contains("# TYPE"), "a HEAD has no body: {head}");
    assert_eq!(
        status("GET /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        "404"
    );
    assert_eq!(
        status("DELETE /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        "405"
    );
    assert_eq!(
        status("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"),
        "413"
    );
    let huge = format!(
        "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(16 * 1024)
    );
    assert_eq!(status(&huge), "431");
}

/// The metrics listener does not take pipelined requests: the first is answered with
/// `Connection: close`, not a keep-alive the connection will not keep, and the rest dropped.
#[test]
fn pipelined_scrapes_get_one_answer_that_says_close() {
    let web = web();
    let proxy = start_proxy(
        web.path(),
        "127.0.0.1:9",
        &[("PROXY_METRICS_LISTEN", "127.0.0.1:0")],
    );
    let port = metrics_address(&proxy).port();
    let started = Instant::now();
    let response = raw_request(
        port,
        "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert_eq!(response.matches("HTTP/1.1 ").count(), 1, "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("\r\nconnection: close\r\n"),
        "{response}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "the connection was closed, not left to time out"
    );
}
