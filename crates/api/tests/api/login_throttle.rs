//! The failed-login throttle: per (username, address) pair, per client address and, at a much
//! higher limit, per username at addresses its owner never logged in from; kept in the
//! database so it holds across api processes, with forwarded addresses believed only from
//! trusted proxies. Nobody can lock an owner out.

use std::time::{Duration, Instant};

use reqwest::{Response, StatusCode};
use serde_json::json;
use test_support::servers::ApiServer;

use crate::helpers::{
    api_binary, db_pool, execute_sql, json_of, Backend, TestApp, TestDb, PASSWORD,
};

const WRONG: &str = "not-the-password";

async fn login_via(app: &TestApp, forwarded_for: Option<&str>, username: &str) -> Response {
    login_with(app, forwarded_for, username, WRONG).await
}

async fn login_with(
    app: &TestApp,
    forwarded_for: Option<&str>,
    username: &str,
    password: &str,
) -> Response {
    let mut request = app
        .client
        .post(app.url("/api/token/"))
        .json(&json!({"username": username, "password": password}));
    if let Some(address) = forwarded_for {
        request = request.header("X-Forwarded-For", address);
    }
    request.send().await.expect("request sent")
}

/// Checks that `response` is the throttle's 429 and returns its `Retry-After` (seconds).
async fn throttled(response: Response) -> u64 {
    let retry_after = response
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse::<u64>()
        .expect("Retry-After in seconds");
    let body = json_of(response, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(body["code"], "throttled");
    assert!(body["detail"].as_str().unwrap().contains("throttled"));
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    retry_after
}

async fn five_failures_lock_a_username_even_against_its_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("olga").await;
    app.user("pete").await;
    for name in ["olga", "OLGA", "Olga", "olga", "olga"] {
        assert_eq!(
            app.login(name, WRONG).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    throttled(app.login("olga", PASSWORD).await).await;
    throttled(app.login("olga", WRONG).await).await;
    assert_eq!(app.login("pete", PASSWORD).await.status(), StatusCode::OK);
}

/// The attack of issue 25: twelve wrong passwords for someone's username from another address
/// locked its owner out everywhere. Now they lock that (username, address) pair only.
async fn failures_from_another_address_never_lock_the_owner_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(
        app.register("vera", PASSWORD).await.status(),
        StatusCode::CREATED
    );
    let home = Some("198.51.100.20");
    assert_eq!(
        login_with(&app, home, "vera", PASSWORD).await.status(),
        StatusCode::OK
    );
    let attacker = Some("203.0.113.66");
    for attempt in 0..12 {
        let response = login_via(&app, attacker, "vera").await;
        if attempt < 5 {
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "attempt {attempt}"
            );
        } else {
            throttled(response).await;
        }
    }
    assert_eq!(
        login_with(&app, home, "vera", PASSWORD).await.status(),
        StatusCode::OK,
        "the owner logs in from home"
    );
    assert_eq!(
        login_with(&app, Some("192.0.2.5"), "vera", PASSWORD)
            .await
            .status(),
        StatusCode::OK,
        "and from a new address too: five failures are far from the username's own limit"
    );
    throttled(login_with(&app, attacker, "vera", PASSWORD).await).await;
}

/// A guesser spread over many addresses meets the username's own limit, which still spares
/// the owner at the addresses the account logged in from.
async fn a_distributed_guesser_is_stopped_without_locking_the_owner_out(backend: Backend) {
    let app = TestApp::spawn_with(backend, |options| {
        options.logins.login_failures_per_account = 10;
    })
    .await;
    assert_eq!(
        app.register("wynn", PASSWORD).await.status(),
        StatusCode::CREATED
    );
    let home = Some("198.51.100.30");
    assert_eq!(
        login_with(&app, home, "wynn", PASSWORD).await.status(),
        StatusCode::OK
    );
    for i in 1..=10 {
        let address = format!("203.0.113.{i}");
        let response = login_via(&app, Some(&address), "wynn").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{address}");
    }
    throttled(login_via(&app, Some("203.0.113.11"), "wynn").await).await;
    throttled(login_with(&app, Some("203.0.113.12"), "wynn", PASSWORD).await).await;
    assert_eq!(
        login_with(&app, home, "wynn", PASSWORD).await.status(),
        StatusCode::OK,
        "the owner's own address is not locked by others' failures"
    );
}

async fn unknown_usernames_are_throttled_like_real_ones(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("quinn").await;
    for _ in 0..5 {
        let real = app.login("quinn", WRONG).await;
        let unknown = app.login("nobody-at-all", WRONG).await;
        assert_eq!(real.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(real.text().await.unwrap(), unknown.text().await.unwrap());
    }
    throttled(app.login("quinn", WRONG).await).await;
    throttled(app.login("nobody-at-all", WRONG).await).await;
}

async fn a_successful_login_resets_its_usernames_count(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("rosa").await;
    for _ in 0..2 {
        for _ in 0..4 {
            assert_eq!(
                app.login("rosa", WRONG).await.status(),
                StatusCode::UNAUTHORIZED
            );
        }
        assert_eq!(app.login("rosa", PASSWORD).await.status(), StatusCode::OK);
    }
}

/// A server counting failures per address only, three allowed.
async fn per_ip_app(backend: Backend, trusted_proxies: &str) -> TestApp {
    let trusted_proxies = trusted_proxies.to_owned();
    TestApp::spawn_with(backend, move |options| {
        options.logins.login_failures_per_username = 0;
        options.logins.login_failures_per_ip = 3;
        options.http.trusted_proxies = trusted_proxies;
    })
    .await
}

async fn behind_a_trusted_proxy_the_forwarded_address_is_throttled(backend: Backend) {
    // The tests connect from 127.0.0.1, which is a trusted proxy by default.
    let app = per_ip_app(backend, api::cli::DEFAULT_TRUSTED_PROXIES).await;
    for name in ["a", "b", "c"] {
        let response = login_via(&app, Some("203.0.113.1"), name).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    throttled(login_via(&app, Some("203.0.113.1"), "d").await).await;
    // The proxy appends what it saw; what the client claimed further left proves nothing.
    throttled(login_via(&app, Some("198.51.100.9, 203.0.113.1"), "e").await).await;
    let other_client = login_via(&app, Some("203.0.113.2"), "d").await;
    assert_eq!(other_client.status(), StatusCode::UNAUTHORIZED);
}

async fn from_an_untrusted_peer_a_forwarded_address_is_ignored(backend: Backend) {
    let app = per_ip_app(backend, "10.0.0.0/8").await;
    for (i, name) in ["a", "b", "c"].into_iter().enumerate() {
        let spoofed = format!("203.0.113.{i}");
        let response = login_via(&app, Some(&spoofed), name).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    throttled(login_via(&app, Some("203.0.113.99"), "d").await).await;
    throttled(login_via(&app, None, "e").await).await;
}

async fn expired_login_counters_are_pruned_and_live_ones_kept(backend: Backend) {
    let app = TestApp::spawn_with(backend, |options| options.logins.prune_interval_secs = 1).await;
    let url = app.database_url().to_owned();
    let sql = "INSERT INTO login_throttles (scope, key, failures, last_failure_at, locked_until) \
               VALUES ('ip', '198.51.100.1', 3, 1000, 0)";
    let setup = url.clone();
    tokio::task::spawn_blocking(move || execute_sql(&setup, sql))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app.login("fresh", WRONG).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let url = url.clone();
        let keys = tokio::task::spawn_blocking(move || throttle_keys(&url))
            .await
            .unwrap();
        if !keys.contains(&"198.51.100.1".to_owned()) {
            assert!(keys.contains(&"fresh".to_owned()), "{keys:?}");
            assert!(keys.contains(&"127.0.0.1".to_owned()), "{keys:?}");
            break;
        }
        assert!(Instant::now() < deadline, "never pruned: {keys:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every counter's key (blocking).
fn throttle_keys(url: &str) -> Vec<String> {
    use api::db::schema::login_throttles::dsl::*;
    use diesel::prelude::*;
    let mut conn = db_pool(url).get().expect("a connection");
    api::with_conn!(&mut conn, |c| login_throttles.select(key).load(c)).expect("keys")
}

crate::per_backend!(
    failures_from_another_address_never_lock_the_owner_out,
    a_distributed_guesser_is_stopped_without_locking_the_owner_out,
    five_failures_lock_a_username_even_against_its_password,
    unknown_usernames_are_throttled_like_real_ones,
    a_successful_login_resets_its_usernames_count,
    behind_a_trusted_proxy_the_forwarded_address_is_throttled,
    from_an_untrusted_peer_a_forwarded_address_is_ignored,
    expired_login_counters_are_pruned_and_live_ones_kept,
);

/// The real binary on `db`, with extra settings.
fn api_server(db: &TestDb, settings: &[(&str, &str)]) -> ApiServer {
    api_binary(&db.url, settings)
}

fn blocking_login(server: &ApiServer, username: &str, forwarded_for: &str) -> StatusCode {
    reqwest::blocking::Client::new()
        .post(server.url("/api/token/"))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({"username": username, "password": WRONG}))
        .send()
        .expect("request sent")
        .status()
}

fn the_access_log_names_the_address_the_api_believes(backend: Backend) {
    let db = TestDb::new(backend);
    let untrusting = api_server(&db, &[("API_TRUSTED_PROXIES", "")]);
    let trusting = api_server(&db, &[]);
    assert_eq!(
        blocking_login(&untrusting, "someone", "203.0.113.50"),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        blocking_login(&trusting, "someone", "203.0.113.60"),
        StatusCode::UNAUTHORIZED
    );
    let limit = Duration::from_secs(10);
    let logged =
        |server: &ApiServer, text: &str| server.process.wait_for_line(text, limit).is_some();
    assert!(
        logged(
            &untrusting,
            "path=/api/token/ client_ip=127.0.0.1 status=401"
        ),
        "{}",
        untrusting.process.log()
    );
    assert!(!untrusting.process.log().contains("203.0.113.50"));
    assert!(
        logged(
            &trusting,
            "path=/api/token/ client_ip=203.0.113.60 status=401"
        ),
        "{}",
        trusting.process.log()
    );
}

fn two_api_processes_share_one_failed_login_allowance(backend: Backend) {
    let db = TestDb::new(backend);
    let settings = [("API_LOGIN_FAILURES_PER_USERNAME", "4")];
    let first = api_server(&db, &settings);
    let second = api_server(&db, &settings);
    for server in [&first, &second, &first, &second] {
        assert_eq!(
            blocking_login(server, "shared-name", "203.0.113.7"),
            StatusCode::UNAUTHORIZED
        );
    }
    for server in [&first, &second] {
        let response = reqwest::blocking::Client::new()
            .post(server.url("/api/token/"))
            .header("X-Forwarded-For", "203.0.113.7")
            .json(&json!({"username": "shared-name", "password": PASSWORD}))
            .send()
            .unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(response.headers().contains_key("retry-after"));
    }
}

#[test]
fn the_access_log_names_the_address_the_api_believes_on_sqlite() {
    the_access_log_names_the_address_the_api_believes(Backend::Sqlite);
}

#[test]
fn the_access_log_names_the_address_the_api_believes_on_postgres() {
    the_access_log_names_the_address_the_api_believes(Backend::Postgres);
}

#[test]
fn two_api_processes_share_one_failed_login_allowance_on_sqlite() {
    two_api_processes_share_one_failed_login_allowance(Backend::Sqlite);
}

#[test]
fn two_api_processes_share_one_failed_login_allowance_on_postgres() {
    two_api_processes_share_one_failed_login_allowance(Backend::Postgres);
}
