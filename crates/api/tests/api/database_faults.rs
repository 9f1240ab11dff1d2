//! The database frozen, then dead, then back (DESIGN.md, "Data safety"): every request gets a
//! quick, honest answer throughout, and the service heals without a restart.
//!
//! The deadlines are the contract's, each asserted with a margin for a loaded machine.

use std::future::Future;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use futures_util::future::join_all;
use reqwest::{Response, StatusCode};

use crate::helpers::postgres::{connect, PgCluster};
use crate::helpers::{json_of, TestApp, TestDb};

/// `DATABASE_TIMEOUT_SECS` for this server.
const TIMEOUT: Duration = Duration::from_secs(2);
/// Added to every deadline: the machine running the suite may be busy.
const MARGIN: Duration = Duration::from_secs(1);

async fn timed(request: impl Future<Output = Response>) -> (StatusCode, Duration) {
    let started = Instant::now();
    let status = request.await.status();
    (status, started.elapsed())
}

fn assert_answered(what: &str, (status, took): (StatusCode, Duration), within: Duration) {
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{what} after {took:?}"
    );
    assert!(
        took < within + MARGIN,
        "{what}: 503 after {took:?}, due within {within:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frozen_then_dead_then_back_every_request_gets_a_quick_answer() {
    let cluster = tokio::task::spawn_blocking(PgCluster::start_new)
        .await
        .unwrap();
    let db = TestDb::external(cluster.url("postgres"));
    let app = TestApp::spawn_on(db, |options| {
        options.database.database_timeout_secs = TIMEOUT.as_secs();
    });
    let user = app.user("frozen").await;
    let token = Some(user.access.as_str());
    // Several connections in the pool, fresh enough to be handed out untested: their requests'
    // statements are the ones the frozen server never answers.
    let warm = join_all((0..4).map(|_| app.get("/api/transactions/", token))).await;
    assert!(warm.iter().all(|r| r.status() == StatusCode::OK));

    // One request whose statement is already waiting when the server freezes: it waits on a
    // lock that another session holds.
    let url = app.database_url().to_owned();
    let locker = tokio::task::spawn_blocking(move || {
        let mut conn = connect(&url);
        conn.batch_execute("BEGIN; LOCK TABLE transactions IN ACCESS EXCLUSIVE MODE;")
            .unwrap();
        conn
    })
    .await
    .unwrap();

    let waiting_started = Instant::now();
    let (waiting, (frozen_at, health, during)) =
        tokio::join!(timed(app.get("/api/transactions/", token)), async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let cluster = &cluster;
            tokio::task::block_in_place(|| cluster.freeze());
            let frozen_at = Instant::now();
            let (health, during) = tokio::join!(
                timed(app.get("/api/health", None)),
                join_all((0..6).map(|_| timed(app.get("/api/transactions/", token)))),
            );
            (frozen_at, health, during)
        });
    eprintln!(
        "frozen: health 503 after {:?}; others after {:?}",
        health.1,
        during.iter().map(|answer| answer.1).collect::<Vec<_>>()
    );
    assert_answered(
        "the health check while frozen",
        health,
        Duration::from_secs(3),
    );
    for (i, answer) in during.into_iter().enumerate() {
        assert_answered(
            &format!("request {i} while frozen"),
            answer,
            TIMEOUT + Duration::from_secs(1),
        );
    }
    assert_eq!(
        waiting.0,
        StatusCode::SERVICE_UNAVAILABLE,
        "the waiting request"
    );
    // When it was answered, counted from the freeze.
    let answered_at = (waiting_started + waiting.1).saturating_duration_since(frozen_at);
    eprintln!("frozen: the request already waiting answered {answered_at:?} after the freeze");
    assert!(
        answered_at < TIMEOUT + Duration::from_secs(1) + MARGIN,
        "the request already waiting answered {answered_at:?} after the freeze"
    );
    // Requests that come later get theirs in time too (the first attempts to connect time out
    // meanwhile, and the breaker opens).
    for i in 0..3 {
        let answer = timed(app.get("/api/transactions/", token)).await;
        eprintln!("frozen: late request {i} answered after {:?}", answer.1);
        assert_answered(
            &format!("late request {i} while frozen"),
            answer,
            TIMEOUT + Duration::from_secs(1),
        );
    }

    // Dead: every connection cut, new ones refused.
    let cluster = tokio::task::spawn_blocking(move || {
        cluster.stop_frozen();
        cluster
    })
    .await
    .unwrap();
    drop(locker);
    let down_since = Instant::now();
    let mut answers = 0;
    let mut slowest = Duration::ZERO;
    // Across the breaker's open and half-open spells.
    while down_since.elapsed() < Duration::from_secs(4) {
        let (health, data, login) = tokio::join!(
            timed(app.get("/api/health", None)),
            timed(app.get("/api/transactions/", token)),
            timed(app.login("frozen", crate::helpers::PASSWORD)),
        );
        for (what, answer) in [("health", health), ("data", data), ("login", login)] {
            assert_answered(
                &format!("{what} while down"),
                answer,
                Duration::from_millis(1500),
            );
            slowest = slowest.max(answer.1);
            answers += 1;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    eprintln!("down: {answers} answers, the slowest after {slowest:?}");
    assert!(answers >= 9, "{answers} answers while down");
    let body = json_of(
        app.get("/api/transactions/", token).await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    assert_eq!(body["code"], "service_unavailable");

    // Back, on the same port, with no restart of the api.
    let cluster = tokio::task::spawn_blocking(move || {
        cluster.start();
        cluster
    })
    .await
    .unwrap();
    let back_at = Instant::now();
    loop {
        let status = app.get("/api/transactions/", token).await.status();
        if status == StatusCode::OK {
            break;
        }
        assert!(
            back_at.elapsed() < Duration::from_secs(3) + MARGIN,
            "not back {:?} after the database; last status {status}",
            back_at.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("back: served {:?} after the database", back_at.elapsed());
    // No connection was lost for good to the frozen spell: the whole pool serves at once.
    let all = join_all((0..10).map(|_| app.get("/api/transactions/", token))).await;
    let statuses: Vec<_> = all.iter().map(Response::status).collect();
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(app.get("/api/health", None).await.status(), StatusCode::OK);
    drop(app);
    drop(cluster);
}
