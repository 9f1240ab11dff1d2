//! The monitoring examples in deploy/: the Prometheus scrape configuration is one promtool
//! accepts, and the Grafana dashboards chart only metrics the real api and proxy expose.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use test_support::process::clean_command;
use test_support::servers::{ApiServer, ProxyServer};
use test_support::workspace;

const INSTALL: &str = "promtool checks deploy/prometheus: \
`sudo apt-get install -y --no-install-recommends prometheus` (scripts/test installs it)";

#[test]
fn the_scrape_configuration_is_valid() {
    let config = workspace::root().join("deploy/prometheus/prometheus.yml");
    let output = Command::new("promtool")
        .args(["check", "config"])
        .arg(&config)
        .output()
        .unwrap_or_else(|err| panic!("{INSTALL} ({err})"));
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every name starting with `prefix` (`api_`, `proxy_`) in the text, without the histogram
/// series' suffixes.
fn metric_names(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find(prefix) {
        let name: String = rest[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        rest = &rest[start + name.len()..];
        let family = ["_bucket", "_count", "_sum"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .unwrap_or(&name);
        names.insert(family.to_owned());
    }
    names
}

/// Requests that make every charted series exist: a quote (Finnhub and the quote cache), and
/// failed logins until the throttle answers 429.
async fn exercise(api: &ApiServer) {
    let client = reqwest::Client::new();
    let credentials = json!({"username": "charted", "password": "long enough password"});
    let registered = client
        .post(api.url("/api/users/"))
        .json(&credentials)
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    let tokens: Value = client
        .post(api.url("/api/token/"))
        .json(&credentials)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let quote = client
        .get(api.url("/api/quotes/?symbols=SPY"))
        .bearer_auth(tokens["access"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(quote.status().is_server_error(), "{quote:?}");
    let wrong = json!({"username": "charted", "password": "wrong"});
    let mut throttled = false;
    for _ in 0..30 {
        let login = client
            .post(api.url("/api/token/"))
            .json(&wrong)
            .send()
            .await
            .unwrap();
        if login.status() == StatusCode::TOO_MANY_REQUESTS {
            throttled = true;
            break;
        }
    }
    assert!(throttled, "the login throttle never answered 429");
}

/// The `prefix` metrics the dashboard `file` in deploy/grafana/ charts.
fn charted(file: &str, prefix: &str) -> BTreeSet<String> {
    let path = workspace::root().join("deploy/grafana").join(file);
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let exprs: Vec<&str> = dashboard["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .flat_map(|panel| panel["targets"].as_array().expect("targets"))
        .map(|target| target["expr"].as_str().expect("expr"))
        .collect();
    assert!(!exprs.is_empty());
    metric_names(&exprs.join("\n"), prefix)
}

/// The metric families an exposition declares (`# TYPE` lines).
fn declared(exposed: &str) -> BTreeSet<String> {
    exposed
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|line| line.split(' ').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_charts_metrics_the_api_exposes() {
    let charted = charted("fattore-api.json", "api_");

    // Market data from a port nobody listens on, so that a quote makes a failed Finnhub call.
    let dir = tempfile::tempdir().unwrap();
    let api = ApiServer::start(
        clean_command(workspace::binary("api"))
            .current_dir(dir.path())
            .env("FINNHUB_TOKEN", "not-a-real-token")
            .env("FINNHUB_URL", "http://127.0.0.1:9")
            .env("FINNHUB_TIMEOUT_SECS", "1"),
    );
    exercise(&api).await;
    let exposed = reqwest::get(api.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let declared = declared(&exposed);
    let unknown: Vec<&String> = charted.difference(&declared).collect();
    assert!(
        unknown.is_empty(),
        "the dashboard charts {unknown:?}, which the api does not expose"
    );
}

/// Where the proxy's metrics listener is, from its start-up line, once it accepts connections.
fn metrics_address(proxy: &ProxyServer) -> SocketAddr {
    const LINE: &str = "proxy metrics on http://";
    let line = proxy
        .process
        .wait_for_line(LINE, Duration::from_secs(10))
        .unwrap_or_else(|| panic!("no metrics listener:\n{}", proxy.process.log()));
    let rest = &line[line.find(LINE).unwrap() + LINE.len()..];
    let address: SocketAddr = rest.split('/').next().unwrap().parse().unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_dashboard_charts_metrics_the_proxy_exposes() {
    let charted = charted("fattore-proxy.json", "proxy_");

    // HTTPS with a certificate, so that the TLS series exist, in front of a real api, so that
    // the upstream ones do.
    let dir = tempfile::tempdir().unwrap();
    let api = ApiServer::start(clean_command(workspace::binary("api")).current_dir(dir.path()));
    let web = dir.path().join("web");
    std::fs::create_dir(&web).unwrap();
    std::fs::write(
        web.join("index.html"),
        "<!doctype html><title>shell</title>",
    )
    .unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["fattore.test".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let (cert_file, key_file) = (dir.path().join("site.pem"), dir.path().join("site.key"));
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();
    let proxy = ProxyServer::start(
        clean_command(workspace::binary("proxy"))
            .env("PROXY_METRICS_LISTEN", "127.0.0.1:0")
            .env("PROXY_TLS_LISTEN", "127.0.0.1:0")
            .env("PROXY_TLS_CERT", &cert_file)
            .env("PROXY_TLS_KEY", &key_file),
        &web,
        &api.address.to_string(),
    );
    let tls_port = proxy.tls_port();
    let https = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .resolve("fattore.test", SocketAddr::from(([127, 0, 0, 1], tls_port)))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    // Until the proxy's health check has found the api: 503 before.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let health = https
            .get(format!("https://fattore.test:{tls_port}/api/health"))
            .send()
            .await
            .unwrap();
        if health.status() == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "{}", proxy.process.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let exposed = reqwest::get(format!("http://{}/metrics", metrics_address(&proxy)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let declared = declared(&exposed);
    let unknown: Vec<&String> = charted.difference(&declared).collect();
    assert!(
        unknown.is_empty(),
        "the dashboard charts {unknown:?}, which the proxy does not expose:\n{exposed}"
    );
}
