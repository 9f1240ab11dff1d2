//! The monitoring examples in deploy/: the Prometheus scrape configuration is one promtool
//! accepts, and the Grafana dashboard charts only metrics the real api exposes.

use std::collections::BTreeSet;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{json, Value};
use test_support::process::clean_command;
use test_support::servers::ApiServer;
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

/// Every `api_…` name in the text, without the histogram series' suffixes.
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("api_") {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_charts_metrics_the_api_exposes() {
    let path = workspace::root().join("deploy/grafana/fattore-api.json");
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let exprs: Vec<&str> = dashboard["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .flat_map(|panel| panel["targets"].as_array().expect("targets"))
        .map(|target| target["expr"].as_str().expect("expr"))
        .collect();
    assert!(!exprs.is_empty());
    let charted = metric_names(&exprs.join("\n"));

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
    let declared: BTreeSet<String> = exposed
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|line| line.split(' ').next())
        .map(str::to_owned)
        .collect();
    let unknown: Vec<&String> = charted.difference(&declared).collect();
    assert!(
        unknown.is_empty(),
        "the dashboard charts {unknown:?}, which the api does not expose"
    );
}
