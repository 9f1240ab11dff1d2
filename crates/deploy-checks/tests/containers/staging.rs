//! Staging: compose.yaml as it is (postgres, api and proxy on one bridge network), each story
//! on a project of its own.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::compose::Stack;
use crate::podman;
use crate::web::{self, json_of, log_in, register_and_log_in, Load};

const START: Duration = Duration::from_secs(120);

/// The stack, up and healthy: postgres first, then the api, then the proxy; without the
/// proxy's rate limits, which the stories' load from one address would trip.
async fn staging(name: &str) -> Stack {
    let unthrottled = "crates/deploy-checks/tests/containers/unthrottled.yaml".into();
    let stack = Stack::new(name, &[unthrottled], &[]);
    stack.up();
    for service in ["postgres", "api", "proxy"] {
        podman::wait_healthy(&stack.container(service), START);
    }
    web::wait_for(
        &web::client(),
        &stack.url("/api/health"),
        StatusCode::OK,
        START,
    )
    .await;
    stack
}

/// A Sunday two to three weeks ahead, so the week's picks are open for days.
fn future_sunday() -> String {
    use chrono::Datelike;
    let today = chrono::Utc::now().date_naive();
    let to_sunday = 7 - today.weekday().num_days_from_sunday() as i64;
    (today + chrono::Duration::days(to_sunday + 14)).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, podman and the images; scripts/test runs it with --ignored as root"]
async fn a_user_round_trips_through_the_staging_stack_and_their_data_outlives_down_and_up() {
    let stack = staging("roundtrip").await;
    let client = web::client();
    let base = stack.url("");

    // Started in dependency order, once: neither server had to be restarted to come up.
    for service in ["api", "proxy"] {
        assert_eq!(
            podman::inspect(&stack.container(service), "{{.RestartCount}}"),
            "0",
            "{service}"
        );
    }

    let page = client.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("<html"));
    let health = json_of(
        client
            .get(format!("{base}/api/health"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(health["database"], "ok", "{health}");

    let token = register_and_log_in(&client, &base, "stager").await;
    let holding =
        json!({"ticker": "ACME", "shares": "12.5", "costbasis": "101.25", "buy": "2024-03-01"});
    let created = json_of(
        client
            .post(format!("{base}/api/assets/"))
            .bearer_auth(&token)
            .json(&holding)
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    // Exact decimals, at the column's scale (as DRF writes them).
    let shares = created["shares"].as_str().unwrap();
    assert_eq!(shares.trim_end_matches('0'), "12.5", "{created}");
    let listed = json_of(
        client
            .get(format!("{base}/api/assets/"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");

    // Wall Street: an operator makes a staff account inside the api container, staff offer a
    // ticker for a coming week, the player picks it.
    let api = stack.container("api");
    podman::ok(&[
        "exec",
        "--env",
        &format!("API_SUPERUSER_PASSWORD={}", web::PASSWORD),
        &api,
        "/usr/local/bin/api",
        "createsuperuser",
        "--username",
        "boss",
        "--email",
        "boss@example.com",
    ]);
    let staff = log_in(&client, &base, "boss").await;
    let sunday = future_sunday();
    let option = json_of(
        client
            .post(format!("{base}/api/wallstreet/options/"))
            .bearer_auth(&staff)
            .json(&json!({"ticker": "SPY", "sunday": sunday, "start_price": "500.00"}))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    json_of(
        client
            .post(format!("{base}/api/wallstreet/selections/"))
            .bearer_auth(&token)
            .json(&json!({"option": option["id"]}))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let picks_url = format!("{base}/api/wallstreet/selections/?sunday={sunday}");
    let picks = json_of(
        client
            .get(&picks_url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(picks.as_array().unwrap().len(), 1, "{picks}");

    // `down` keeps the volume: after `up` the account, the holding and the pick are there.
    stack.down();
    assert!(stack.containers("postgres").is_empty());
    stack.up();
    podman::wait_healthy(&stack.container("proxy"), START);
    web::wait_for(&client, &stack.url("/api/health"), StatusCode::OK, START).await;
    let token = log_in(&client, &base, "stager").await;
    let listed = json_of(
        client
            .get(format!("{base}/api/assets/"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed[0]["ticker"], "ACME", "{listed}");
    let picks = json_of(
        client
            .get(&picks_url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(picks.as_array().unwrap().len(), 1, "{picks}");
}

/// How many of the marked requests each api replica logged.
fn served_by(replicas: &[String], marker: &str) -> Vec<usize> {
    replicas
        .iter()
        .map(|replica| {
            let output = podman::run(&["logs", replica]);
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            text.matches(marker).count()
        })
        .collect()
}

async fn marked_requests(stack: &Stack, marker: &str, count: usize) {
    let client = web::client();
    for i in 0..count {
        // Not the health check: a passing one is access-logged at debug only.
        let url = stack.url(&format!("/api/wallstreet/leaderboard/?{marker}{i}"));
        let response = client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{url}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, podman and the images; scripts/test runs it with --ignored as root"]
async fn three_api_replicas_share_the_load_and_one_can_leave_and_rejoin() {
    let stack = staging("replicas").await;
    stack.compose_ok(&["up", "--detach", "--no-deps", "--scale", "api=3", "api"]);
    let replicas = stack.containers("api");
    assert_eq!(replicas.len(), 3, "{replicas:?}");
    for replica in &replicas {
        podman::wait_healthy(replica, START);
    }

    // The proxy re-resolves `api` and spreads requests over every address it has.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut round = 0;
    loop {
        let marker = format!("spread{round}x");
        marked_requests(&stack, &marker, 60).await;
        let counts = served_by(&replicas, &marker);
        if counts.iter().all(|n| *n > 0) {
            assert_eq!(counts.iter().sum::<usize>(), 60, "{counts:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "requests never reached all three replicas: {counts:?}"
        );
        round += 1;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }

    // A replica stops under load: every idempotent request still succeeds.
    let client = web::client();
    let base = stack.url("");
    let token = register_and_log_in(&client, &base, "loaded").await;
    let load = Load::start(&client, stack.url("/api/assets/"), Some(token), 4);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let leaving = replicas[1].clone();
    let stopped = tokio::task::spawn_blocking(move || {
        podman::ok(&["stop", "--time", "25", &leaving]);
    });
    stopped.await.unwrap();
    tokio::time::sleep(Duration::from_secs(8)).await;
    let outcomes = load.stop().await;
    assert!(outcomes.len() > 100, "{} requests", outcomes.len());
    let failed = web::unexpected(&outcomes, &[StatusCode::OK]);
    assert!(
        failed.is_empty(),
        "of {} requests: {failed:?}",
        outcomes.len()
    );

    // It starts again and gets its share once more.
    podman::ok(&["start", &replicas[1]]);
    podman::wait_healthy(&replicas[1], START);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut round = 0;
    loop {
        let marker = format!("rejoin{round}x");
        marked_requests(&stack, &marker, 30).await;
        if served_by(&replicas[1..2], &marker)[0] > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{} never rejoined", replicas[1]);
        round += 1;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, podman and the images; scripts/test runs it with --ignored as root"]
async fn the_api_answers_503_while_postgres_restarts_and_recovers_by_itself() {
    let stack = staging("dbrestart").await;
    let client = web::client();
    let api = stack.container("api");
    let started = podman::inspect(&api, "{{.State.StartedAt}}");
    let load = Load::start(&client, stack.url("/api/health"), None, 2);
    tokio::time::sleep(Duration::from_secs(1)).await;

    let postgres = stack.container("postgres");
    podman::ok(&["stop", &postgres]);
    web::wait_for(
        &client,
        &stack.url("/api/health"),
        StatusCode::SERVICE_UNAVAILABLE,
        Duration::from_secs(30),
    )
    .await;
    let down: Value = client
        .get(stack.url("/api/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(down["database"], "ok", "{down}");
    podman::ok(&["start", &postgres]);
    web::wait_for(
        &client,
        &stack.url("/api/health"),
        StatusCode::OK,
        Duration::from_secs(60),
    )
    .await;
    let outcomes = load.stop().await;
    let failed = web::unexpected(
        &outcomes,
        &[StatusCode::OK, StatusCode::SERVICE_UNAVAILABLE],
    );
    assert!(failed.is_empty(), "of {}: {failed:?}", outcomes.len());
    assert!(outcomes.contains(&Ok(StatusCode::SERVICE_UNAVAILABLE)));

    // The same process serves again: nothing restarted it.
    assert_eq!(podman::inspect(&api, "{{.State.StartedAt}}"), started);
    assert_eq!(podman::inspect(&api, "{{.RestartCount}}"), "0");
    let token = register_and_log_in(&client, &stack.url(""), "afterwards").await;
    let assets = client
        .get(stack.url("/api/assets/"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(assets.status(), StatusCode::OK);
}

/// compose.yaml's `stop_grace_period` of a service, in seconds.
fn stop_grace_period(service: &str) -> u64 {
    let doc = yaml_rust2::YamlLoader::load_from_str(&test_support::workspace::read("compose.yaml"))
        .unwrap()
        .remove(0);
    let text = doc["services"][service]["stop_grace_period"]
        .as_str()
        .unwrap_or_else(|| panic!("{service} has a stop_grace_period"))
        .to_owned();
    text.strip_suffix('s').unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, podman and the images; scripts/test runs it with --ignored as root"]
async fn stopping_the_api_finishes_the_requests_in_flight_within_the_grace_period() {
    let stack = staging("drain").await;
    let client = web::client();
    let base = stack.url("");
    let token = register_and_log_in(&client, &base, "patient").await;

    // A holding whose body arrives slowly: the request is in flight when the stop comes.
    let body = json!({"ticker": "SLOW", "shares": "1", "costbasis": "2", "buy": "2024-01-02"})
        .to_string()
        .into_bytes();
    let chunks: Vec<Bytes> = body.chunks(8).map(Bytes::copy_from_slice).collect();
    let stream = futures_util::stream::unfold(chunks.into_iter(), |mut rest| async move {
        let chunk = rest.next()?;
        tokio::time::sleep(Duration::from_millis(400)).await;
        Some((Ok::<_, std::io::Error>(chunk), rest))
    });
    let request = client
        .post(format!("{base}/api/assets/"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send();
    let in_flight = tokio::spawn(request);

    tokio::time::sleep(Duration::from_millis(1200)).await;
    let api = stack.container("api");
    let grace = stop_grace_period("api");
    let began = Instant::now();
    let stopping = api.clone();
    tokio::task::spawn_blocking(move || {
        podman::ok(&["stop", "--time", &grace.to_string(), &stopping]);
    })
    .await
    .unwrap();
    let took = began.elapsed();

    let response = in_flight.await.unwrap().unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    // It exited by itself (0), not by the SIGKILL that ends the grace period (137).
    assert_eq!(podman::inspect(&api, "{{.State.ExitCode}}"), "0");
    assert!(took < Duration::from_secs(grace), "stop took {took:?}");
}
