//! The `api` binary itself: configuration, subcommands and signals.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use reqwest::StatusCode;
use test_support::process::{clean_command, Signal};
use test_support::servers::ApiServer;

use crate::helpers::{create_staff, db_pool, Backend, TestApp, TestDb, PASSWORD};

const GOOD_SECRET: &str = "9c4f0e1a7b3d5c2e8f6a0b1c3d5e7f9a2b4c6d8e";

/// `api` with a clean environment (only PATH), run in `dir`.
fn api(dir: &Path) -> Command {
    let mut command = clean_command(env!("CARGO_BIN_EXE_api"));
    command.current_dir(dir).env("RUST_LOG", "info");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run api")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The old React client's dev server (Vite, port 5173) may call the api without configuration,
/// beside the proxy's and Create React App's origins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_cors_origins_include_the_react_dev_servers() {
    let dir = tempfile::tempdir().unwrap();
    let server = ApiServer::start(&mut api(dir.path()));
    let client = reqwest::Client::new();
    for origin in [
        "http://localhost:5173",
        "http://localhost:3000",
        "http://localhost:8080",
    ] {
        let preflight = client
            .request(reqwest::Method::OPTIONS, server.url("/api/token/"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .send()
            .await
            .unwrap();
        assert_eq!(
            preflight.headers()["access-control-allow-origin"],
            origin,
            "{preflight:?}"
        );
    }
}

#[test]
fn production_refuses_a_missing_short_or_placeholder_secret_key() {
    let dir = tempfile::tempdir().unwrap();
    let keys = [
        None,
        Some("too-short"),
        Some("change-me-change-me-change-me-change-me"),
    ];
    for key in keys {
        let mut command = api(dir.path());
        command
            .env("APP_ENV", "production")
            .env("API_LISTEN", "127.0.0.1:0");
        if let Some(key) = key {
            command.env("SECRET_KEY", key);
        }
        let output = run(&mut command);
        assert!(!output.status.success(), "{key:?} was accepted");
        assert!(
            stderr(&output).contains("SECRET_KEY"),
            "{key:?}: {}",
            stderr(&output)
        );
    }
    assert!(!dir.path().join("data").exists(), "nothing was started");
}

#[test]
fn production_starts_with_a_real_secret_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ApiServer::start(
        api(dir.path())
            .env("APP_ENV", "production")
            .env("SECRET_KEY", GOOD_SECRET),
    );
    let health = reqwest::blocking::get(server.url("/api/health")).unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let listen = server.address.to_string();
    let probe = run(api(dir.path())
        .arg("healthcheck")
        .env("API_LISTEN", &listen));
    assert!(probe.status.success(), "{}", stderr(&probe));
    server.process.signal(Signal::Term);
    assert!(server
        .process
        .wait_for_exit(Duration::from_secs(20))
        .success());
    let probe = run(api(dir.path())
        .arg("healthcheck")
        .env("API_LISTEN", &listen));
    assert!(!probe.status.success(), "a stopped server is unhealthy");
}

#[test]
fn development_needs_no_configuration_and_creates_its_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = ApiServer::start(&mut api(dir.path()));
    let health = reqwest::blocking::get(server.url("/api/health")).unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert!(dir.path().join("data/app.sqlite3").is_file());
}

#[test]
fn dotenv_is_read_and_flags_win_over_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "DATABASE_URL=sqlite://from-dotenv.sqlite3\n",
    )
    .unwrap();
    assert!(run(api(dir.path()).arg("migrate")).status.success());
    assert!(dir.path().join("from-dotenv.sqlite3").is_file());
    assert!(
        run(api(dir.path()).args(["migrate", "--database-url", "sqlite://from-flag.sqlite3"]))
            .status
            .success()
    );
    assert!(dir.path().join("from-flag.sqlite3").is_file());
    let bad = run(api(dir.path()).args(["migrate", "--database-url", "mysql://nope"]));
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("DATABASE_URL"), "{}", stderr(&bad));
}

fn migrate_is_repeatable(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(backend);
    for _ in 0..2 {
        let output = run(api(dir.path()).arg("migrate").env("DATABASE_URL", &db.url));
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(String::from_utf8_lossy(&output.stdout).contains("up to date"));
    }
}

#[test]
fn migrate_is_repeatable_on_sqlite() {
    migrate_is_repeatable(Backend::Sqlite);
}

#[test]
fn migrate_is_repeatable_on_postgres() {
    migrate_is_repeatable(Backend::Postgres);
}

async fn createsuperuser_makes_a_staff_account(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = tokio::task::spawn_blocking(move || TestDb::new(backend))
        .await
        .unwrap();
    let create = |password: Option<&str>| {
        let mut command = api(dir.path());
        command
            .args([
                "createsuperuser",
                "--username",
                "boss",
                "--email",
                "boss@example.com",
            ])
            .env("DATABASE_URL", &db.url);
        if let Some(password) = password {
            command.env("API_SUPERUSER_PASSWORD", password);
        }
        run(&mut command)
    };
    let no_password = create(None);
    assert!(!no_password.status.success());
    assert!(
        stderr(&no_password).contains("API_SUPERUSER_PASSWORD"),
        "{}",
        stderr(&no_password)
    );
    let created = create(Some(PASSWORD));
    assert!(created.status.success(), "{}", stderr(&created));
    let again = create(Some(PASSWORD));
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already taken"));

    let pool = db_pool(&db.url);
    let boss = api::models::user::find_by_key(&mut pool.get().unwrap(), "boss")
        .unwrap()
        .unwrap();
    assert!(boss.is_staff);
    assert_ne!(boss.password_hash, PASSWORD);
    drop(pool);

    let app = TestApp::spawn_on(db, |_| {});
    assert_eq!(app.login("boss", PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn createsuperuser_makes_a_staff_account_on_sqlite() {
    createsuperuser_makes_a_staff_account(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn createsuperuser_makes_a_staff_account_on_postgres() {
    createsuperuser_makes_a_staff_account(Backend::Postgres).await;
}

/// Sends the headers and half of a registration, delivers `signal`, then the rest: the request
/// must still complete and the process then exit cleanly.
fn in_flight_requests_finish_after(signal: Signal) {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ApiServer::start(&mut api(dir.path()));
    let body = format!(r#"{{"username": "inflight", "password": "{PASSWORD}"}}"#);
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = TcpStream::connect(server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST /api/users/ HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    server.process.signal(signal);
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(rest.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    let status = server.process.wait_for_exit(Duration::from_secs(20));
    assert!(status.success(), "exit {status}: {}", server.process.log());
    let expected = format!("{} received", signal.name());
    assert!(
        server.process.logged(&expected),
        "{expected:?} was not logged: {}",
        server.process.log()
    );
}

#[test]
fn sigterm_lets_in_flight_requests_finish() {
    in_flight_requests_finish_after(Signal::Term);
}

#[test]
fn sigint_lets_in_flight_requests_finish() {
    in_flight_requests_finish_after(Signal::Int);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_week_runs_from_the_command_line_with_a_prices_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(Backend::Sqlite);
    let url = db.url.clone();
    let app = TestApp::spawn_on(TestDb::external(url.clone()), |_| {});
    create_staff(&url, "operator");
    let login: serde_json::Value = app.login("operator", PASSWORD).await.json().await.unwrap();
    let staff = login["access"].as_str().unwrap();
    for (ticker, start) in [("AAA", "100"), ("BBB", "100")] {
        let body =
            serde_json::json!({"ticker": ticker, "sunday": "2024-01-07", "start_price": start});
        assert_eq!(
            app.post("/api/wallstreet/options/", Some(staff), body)
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    let prices = dir.path().join("prices.csv");
    std::fs::write(&prices, "ticker,price\nAAA,110\nbbb,90.5\n").unwrap();
    let close = || {
        run(api(dir.path())
            .args(["close-week", "--sunday", "2024-01-07", "--prices"])
            .arg(&prices)
            .env("DATABASE_URL", &url))
    };
    for _ in 0..2 {
        let output = close();
        assert!(output.status.success(), "{}", stderr(&output));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains("AAA") && stdout.contains("10.00") && stdout.contains("-9.50"),
            "{stdout}"
        );
    }
    let week: serde_json::Value = app
        .get("/api/wallstreet/weeks/2024-01-07/", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(week["closed"], true);
    assert_eq!(week["options"][1]["rank"], 2);
    let bad = run(api(dir.path())
        .args(["close-week", "--sunday", "2030-01-07"])
        .env("DATABASE_URL", &url));
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("--sunday"), "{}", stderr(&bad));
}
