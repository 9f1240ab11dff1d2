//! How long logins take per hash kind: `cargo bench -p api --bench login_timing`.
//!
//! First the bare password checks (`password::verify` with a wrong password) for our Argon2id
//! and Django 4.1's three hashers at their default costs, which is what a login would take
//! without padding. Then logins through HTTP against the real `api` binary, after importing
//! accounts of each kind with `api import-django` from a dumpdata file: failed logins per kind
//! and for an unknown username, and the first (upgrading) login of each imported account.
//! Not part of the test suite; it prints, it asserts nothing, and without `--bench` (which only
//! `cargo bench` passes, not `cargo test --all-targets`) it does nothing.
//!
//! Measure in release (the default here). `--profile dev` reuses the test build, but there
//! PBKDF2-SHA1's generic code is compiled unoptimised into this crate (no optimised dependency
//! instantiates it), so that check is many times slower than in release.

use std::process::Command;
use std::time::{Duration, Instant};

use api::auth::password;
use argon2::password_hash::{PasswordHasher, SaltString};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;
use test_support::process::{clean_command, Signal};
use test_support::servers::ApiServer;

const ROUNDS: usize = 15;
const PASSWORD: &str = "the-old-django-password";

fn main() {
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    let kinds = [
        ("argon2id (ours)", ours()),
        ("pbkdf2_sha256 390000", pbkdf2_sha256(390_000)),
        ("pbkdf2_sha1 390000", pbkdf2_sha1(390_000)),
        ("django argon2 m=102400,t=2,p=8", django_argon2()),
    ];
    println!("bare check, wrong password (median of {ROUNDS}):");
    for (kind, hash) in &kinds {
        let times: Vec<Duration> = (0..ROUNDS)
            .map(|_| {
                timed(|| {
                    let _ = password::verify("wrong", hash);
                })
            })
            .collect();
        println!("  {kind:<32} {}", summary(times));
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", dir.path().join("app.sqlite3").display());
    let dump = dir.path().join("dump.json");
    let users: Vec<_> = kinds
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, (_, hash))| user(i as i64, &format!("user{i}"), hash))
        .collect();
    std::fs::write(&dump, serde_json::to_vec(&users).expect("json")).expect("write dump");
    let imported = api(&database)
        .args(["import-django", "--source"])
        .arg(&dump)
        .output()
        .expect("run import-django");
    assert!(imported.status.success(), "{imported:?}");

    let mut server = ApiServer::start(&mut api(&database));
    let client = reqwest::blocking::Client::new();
    let login = |username: &str, password: &str| {
        let started = Instant::now();
        let status = client
            .post(server.url("/api/token/"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .expect("login")
            .status();
        (started.elapsed(), status.as_u16())
    };
    let registered = client
        .post(server.url("/api/users/"))
        .json(&json!({"username": "user0", "password": PASSWORD}))
        .send()
        .expect("register");
    assert!(registered.status().is_success());
    for line in server.process.log().lines() {
        if line.contains("every login takes at least") {
            println!("{}", &line[line.find("every").unwrap_or(0)..]);
        }
    }

    println!("POST /api/token/ with a wrong password (median of {ROUNDS}):");
    let mut accounts: Vec<(String, String)> = kinds
        .iter()
        .enumerate()
        .map(|(i, (kind, _))| ((*kind).to_owned(), format!("user{i}")))
        .collect();
    accounts.push(("unknown username".into(), "nobody".into()));
    for (kind, username) in &accounts {
        let times: Vec<Duration> = (0..ROUNDS)
            .map(|_| {
                let (time, status) = login(username, "wrong");
                assert_eq!(status, 401, "a failed login of {kind}");
                time
            })
            .collect();
        println!("  {kind:<32} {}", summary(times));
    }
    println!("POST /api/token/, first successful login (re-hashes an imported hash):");
    for (kind, username) in &accounts[..kinds.len()] {
        let (time, status) = login(username, PASSWORD);
        println!("  {kind:<32} {:>7.1} ms ({status})", ms(time));
    }
    server.process.signal(Signal::Term);
    server.process.wait_for_exit(Duration::from_secs(20));
}

fn api(database: &str) -> Command {
    let mut command = clean_command(env!("CARGO_BIN_EXE_api"));
    command
        .env("DATABASE_URL", database)
        .env("RUST_LOG", "info")
        // The throttle would answer repeated failures 429 before any check: off, as this
        // measures the checks.
        .env("API_LOGIN_FAILURES_PER_USERNAME", "0")
        .env("API_LOGIN_FAILURES_PER_IP", "0");
    command
}

fn user(id: i64, username: &str, hash: &str) -> serde_json::Value {
    json!({"model": "auth.user", "pk": id, "fields": {
        "password": hash, "last_login": null, "is_superuser": false, "username": username,
        "first_name": "", "last_name": "", "email": "", "is_staff": false, "is_active": true,
        "date_joined": "2021-03-04T05:06:07Z"}})
}

fn ours() -> String {
    password::hash(
        &api::domain::Password::parse(PASSWORD.into(), &Default::default()).expect("password"),
    )
    .expect("hash")
}

fn pbkdf2_sha256(iterations: u32) -> String {
    let mut digest = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
        PASSWORD.as_bytes(),
        b"benchsalt123",
        iterations,
        &mut digest,
    );
    format!(
        "pbkdf2_sha256${iterations}$benchsalt123${}",
        STANDARD.encode(digest)
    )
}

fn pbkdf2_sha1(iterations: u32) -> String {
    let mut digest = [0u8; 20];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(
        PASSWORD.as_bytes(),
        b"benchsalt123",
        iterations,
        &mut digest,
    );
    format!(
        "pbkdf2_sha1${iterations}$benchsalt123${}",
        STANDARD.encode(digest)
    )
}

fn django_argon2() -> String {
    let hasher = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(102_400, 2, 8, Some(32)).expect("params"),
    );
    let salt = SaltString::from_b64("YmVuY2hzYWx0YmVuY2hzYWx0").expect("salt");
    let phc = hasher
        .hash_password(PASSWORD.as_bytes(), &salt)
        .expect("hash");
    format!("argon2{phc}")
}

fn timed(work: impl FnOnce()) -> Duration {
    let started = Instant::now();
    work();
    started.elapsed()
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    format!(
        "median {:>7.1} ms  min {:>7.1}  max {:>7.1}",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    )
}
