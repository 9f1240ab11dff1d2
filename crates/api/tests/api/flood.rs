//! A login flood: hundreds of concurrent attempts with made-up usernames for a few seconds.
//! Password hashing is bounded, so the flood is answered 401 or a fast 503 "busy" while the
//! health check and a logged-in user's requests keep being served. Bounded in time and count;
//! it asserts status codes, never timings.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::helpers::{Backend, TestApp};

const ATTACKERS: usize = 300;
const FLOOD_FOR: Duration = Duration::from_secs(3);
const ATTEMPTS_EACH: usize = 40;

/// One flood answer: status, `code` and whether `Retry-After` came with it.
type Answer = (StatusCode, Option<String>, bool);

async fn a_login_flood_leaves_health_and_ordinary_requests_working(backend: Backend) {
    // The per-address limit would end this flood almost at once; with it off, every attempt
    // reaches the password check.
    let app =
        TestApp::spawn_with(backend, |options| options.logins.login_failures_per_ip = 0).await;
    let user = app.user("steady").await;
    app.asset(&user, "VTI").await;
    let app = Arc::new(app);
    let until = Instant::now() + FLOOD_FOR;

    let mut flood = JoinSet::new();
    for attacker in 0..ATTACKERS {
        let app = app.clone();
        flood.spawn(async move {
            let mut answers: Vec<Answer> = Vec::new();
            for attempt in 0..ATTEMPTS_EACH {
                if Instant::now() >= until {
                    break;
                }
                let body = json!({"username": format!("flood-{attacker}-{attempt}"), "password": "guess-guess"});
                let Ok(response) = app.client.post(app.url("/api/token/")).json(&body).send().await
                else {
                    answers.push((StatusCode::REQUEST_TIMEOUT, None, false));
                    continue;
                };
                let status = response.status();
                let retry_after = response.headers().contains_key("retry-after");
                let body: Value = response.json().await.unwrap_or_default();
                answers.push((status, body["code"].as_str().map(str::to_owned), retry_after));
            }
            answers
        });
    }

    // A probe waits its turn among the flood's requests on a saturated machine, so there may
    // be few of them; the last ones may come as the flood ends.
    let mut probes = Vec::new();
    while Instant::now() < until || probes.len() < 3 {
        let health = app.get("/api/health", None).await.status();
        let assets = app.get("/api/assets/", Some(&user.access)).await.status();
        probes.push((health, assets));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let answers: Vec<Answer> = flood.join_all().await.into_iter().flatten().collect();
    assert!(
        probes
            .iter()
            .all(|probe| *probe == (StatusCode::OK, StatusCode::OK)),
        "probes during the flood: {probes:?}"
    );
    let refused = |answer: &&Answer| answer.0 == StatusCode::UNAUTHORIZED;
    let busy = |answer: &&Answer| {
        answer.0 == StatusCode::SERVICE_UNAVAILABLE
            && answer.1.as_deref() == Some("busy")
            && answer.2
    };
    let unexpected: Vec<&Answer> = answers
        .iter()
        .filter(|answer| !refused(answer) && !busy(answer))
        .collect();
    let summary = format!(
        "{} attempts: {} refused, {} busy; {} probes",
        answers.len(),
        answers.iter().filter(refused).count(),
        answers.iter().filter(busy).count(),
        probes.len()
    );
    assert!(
        unexpected.is_empty(),
        "{summary}; unexpected answers: {unexpected:?}"
    );
    assert!(answers.iter().any(|a| refused(&a)), "{summary}");
    assert!(answers.iter().any(|a| busy(&a)), "{summary}");
    eprintln!("{summary}");
}

crate::per_backend!(a_login_flood_leaves_health_and_ordinary_requests_working);
