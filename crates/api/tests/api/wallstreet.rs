//! The Wall Street game through HTTP: options, picks and their rules, scoring and the
//! leaderboard, quotes through Finnhub, and the scheduler, on both backends, with a game clock
//! the tests move instead of sleeping.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::clock::ManualClock;
use crate::helpers::finnhub::{FakeFinnhub, TOKEN};
use crate::helpers::{
    create_staff, execute_sql, json_of, test_options, Backend, TestApp, TestDb, TestUser, PASSWORD,
};
use crate::metrics::{sample, scrape};

/// The game's week in these tests: picks close on Monday 2030-01-07 at 09:30 New York time.
const WEEK: &str = "2030-01-06";
const PICKS_CLOSE: &str = "2030-01-07T14:30:00Z";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

struct Game {
    app: TestApp,
    clock: Arc<ManualClock>,
    staff: TestUser,
}

impl Game {
    async fn start(backend: Backend) -> Self {
        Self::start_with(backend, None, false).await
    }

    async fn start_with(backend: Backend, finnhub: Option<&FakeFinnhub>, scheduler: bool) -> Self {
        let db = tokio::task::spawn_blocking(move || TestDb::new(backend))
            .await
            .unwrap();
        Self::on(db, finnhub, scheduler).await
    }

    async fn on(db: TestDb, finnhub: Option<&FakeFinnhub>, scheduler: bool) -> Self {
        let clock = ManualClock::new(at("2030-01-03T12:00:00Z"));
        let mut options = test_options(&db.url);
        // The test clock jumps days in a moment: no quote may outlive a jump.
        options.quotes.quote_cache_secs = if scheduler { 0 } else { 30 };
        if let Some(finnhub) = finnhub {
            options.quotes.finnhub_url = finnhub.url.clone();
        }
        options.scheduler.wallstreet_scheduler = scheduler;
        let url = db.url.clone();
        let app = TestApp::spawn_game(db, options, finnhub.map(|_| TOKEN), clock.clone());
        let staff = staff_user(&app, &url, "boss").await;
        Self { app, clock, staff }
    }

    async fn option(&self, ticker: &str, start_price: Option<&str>) -> Value {
        let mut body = json!({"ticker": ticker, "sunday": WEEK});
        if let Some(price) = start_price {
            body["start_price"] = json!(price);
        }
        json_of(
            self.app
                .post("/api/wallstreet/options/", Some(&self.staff.access), body)
                .await,
            StatusCode::CREATED,
        )
        .await
    }

    async fn pick(&self, user: &TestUser, option: &Value) -> reqwest::Response {
        self.app
            .post(
                "/api/wallstreet/selections/",
                Some(&user.access),
                json!({"option": option["id"]}),
            )
            .await
    }

    async fn close(&self, prices: Value) -> reqwest::Response {
        let path = format!("/api/wallstreet/weeks/{WEEK}/close/");
        self.app
            .post(&path, Some(&self.staff.access), json!({"prices": prices}))
            .await
    }
}

/// A staff account made the way an operator makes one (`createsuperuser`), then logged in.
async fn staff_user(app: &TestApp, url: &str, name: &str) -> TestUser {
    let (url, name_owned) = (url.to_owned(), name.to_owned());
    let id = tokio::task::spawn_blocking(move || create_staff(&url, &name_owned))
        .await
        .unwrap();
    let tokens = json_of(app.login(name, PASSWORD).await, StatusCode::OK).await;
    TestUser {
        id,
        access: tokens["access"].as_str().unwrap().to_owned(),
        refresh: tokens["refresh"].as_str().unwrap().to_owned(),
    }
}

async fn options_are_public_and_created_by_staff_only(backend: Backend) {
    let game = Game::start(backend).await;
    let player = game.app.user("player").await;
    let body = json!({"ticker": "SPY", "sunday": WEEK});
    assert_eq!(
        game.app
            .post("/api/wallstreet/options/", None, body.clone())
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let refused = game
        .app
        .post("/api/wallstreet/options/", Some(&player.access), body)
        .await;
    assert_eq!(
        json_of(refused, StatusCode::FORBIDDEN).await["code"],
        "permission_denied"
    );

    let created = game.option("spy", Some("412.5")).await;
    assert_eq!(created["ticker"], "SPY");
    assert_eq!(created["sunday"], WEEK);
    assert_eq!(created["start_price"], "412.5000");
    for field in ["end_price", "percent_change", "rank"] {
        assert!(created[field].is_null(), "{field}");
    }
    let listed = json_of(
        game.app
            .get(&format!("/api/wallstreet/options/?sunday={WEEK}"), None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed, json!([created]));
    let alias = json_of(
        game.app
            .get(&format!("/wallstreet/api/options/?sunday={WEEK}"), None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(alias, listed);

    let duplicate = game
        .app
        .post(
            "/api/wallstreet/options/",
            Some(&game.staff.access),
            json!({"ticker": "SPY", "sunday": WEEK}),
        )
        .await;
    assert!(json_of(duplicate, StatusCode::BAD_REQUEST).await["ticker"].is_array());
    let bad = game
        .app
        .post(
            "/api/wallstreet/options/",
            Some(&game.staff.access),
            json!({"ticker": "TOOLONGTICKER", "sunday": "2030-01-07"}),
        )
        .await;
    let errors = json_of(bad, StatusCode::BAD_REQUEST).await;
    assert!(
        errors["ticker"].is_array() && errors["sunday"][0].as_str().unwrap().contains("Sunday"),
        "{errors}"
    );
}

async fn out_of_range_prices_get_drfs_messages(backend: Backend) {
    let game = Game::start(backend).await;
    let cases = [
        (
            "1e30",
            "Ensure that there are no more than 14 digits in total.",
        ),
        (
            "12345678901",
            "Ensure that there are no more than 10 digits before the decimal point.",
        ),
        (
            "1.23456",
            "Ensure that there are no more than 4 decimal places.",
        ),
    ];
    for (price, message) in cases {
        let body = json!({"ticker": "SPY", "sunday": WEEK, "start_price": price});
        let refused = game
            .app
            .post("/api/wallstreet/options/", Some(&game.staff.access), body)
            .await;
        assert_eq!(
            json_of(refused, StatusCode::BAD_REQUEST).await,
            json!({"start_price": [message]}),
            "{price}"
        );
        game.clock.set(at("2030-01-11T21:30:00Z"));
        let refused = game.close(json!({"SPY": price})).await;
        assert_eq!(
            json_of(refused, StatusCode::BAD_REQUEST).await,
            json!({"prices": [format!("SPY: {message}")]}),
            "{price}"
        );
        game.clock.set(at("2030-01-03T12:00:00Z"));
    }
    let created = game.option("SPY", Some("4.125e2")).await;
    assert_eq!(created["start_price"], "412.5000");
}

async fn the_week_query_is_validated_and_defaults_to_the_current_week(backend: Backend) {
    let game = Game::start(backend).await;
    let malformed = game
        .app
        .get("/api/wallstreet/options/?sunday=2030-13-01", None)
        .await;
    assert!(json_of(malformed, StatusCode::BAD_REQUEST).await["sunday"].is_array());
    let monday = json_of(
        game.app
            .get("/api/wallstreet/options/?sunday=2030-01-07", None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(monday, json!([]));
    // The clock says Thursday 2030-01-03: the current week is the one of Sunday 2029-12-30.
    let body = json!({"ticker": "NOW", "sunday": "2029-12-30"});
    json_of(
        game.app
            .post("/api/wallstreet/options/", Some(&game.staff.access), body)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let current = json_of(
        game.app.get("/api/wallstreet/options/", None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(current[0]["ticker"], "NOW");
}

async fn picks_follow_the_rules(backend: Backend) {
    let game = Game::start(backend).await;
    let options: Vec<Value> =
        futures_util::future::join_all(["AAA", "BBB", "CCC", "DDD"].map(|t| game.option(t, None)))
            .await;
    let ann = game.app.user("ann").await;
    let bob = game.app.user("bob").await;

    let first = json_of(game.pick(&ann, &options[0]).await, StatusCode::CREATED).await;
    assert_eq!(first["option"], options[0]["id"]);
    assert_eq!(first["ticker"], "AAA");
    let again = json_of(game.pick(&ann, &options[0]).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(again["code"], "already_picked");
    json_of(game.pick(&ann, &options[1]).await, StatusCode::CREATED).await;
    json_of(game.pick(&ann, &options[2]).await, StatusCode::CREATED).await;
    let fourth = json_of(game.pick(&ann, &options[3]).await, StatusCode::BAD_REQUEST).await;
    assert!(
        fourth["detail"].as_str().unwrap().contains("at most 3"),
        "{fourth}"
    );

    let unknown = game
        .app
        .post(
            "/api/wallstreet/selections/",
            Some(&ann.access),
            json!({"option": 999_999}),
        )
        .await;
    assert!(json_of(unknown, StatusCode::BAD_REQUEST).await["option"][0]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("invalid"));
    let wrong_type = game
        .app
        .post(
            "/api/wallstreet/selections/",
            Some(&ann.access),
            json!({"option": [1]}),
        )
        .await;
    assert!(json_of(wrong_type, StatusCode::BAD_REQUEST).await["option"].is_array());

    let mine = json_of(
        game.app
            .get(
                &format!("/api/wallstreet/selections/?sunday={WEEK}"),
                Some(&ann.access),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine.as_array().unwrap().len(), 3);
    let theirs = json_of(
        game.app
            .get(
                &format!("/wallstreet/api/selections/?sunday={WEEK}"),
                Some(&bob.access),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(theirs, json!([]));
    let path = format!("/api/wallstreet/selections/{}/", first["id"]);
    assert_eq!(
        game.app.get(&path, Some(&bob.access)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        game.app.delete(&path, Some(&bob.access)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        json_of(game.app.get(&path, Some(&ann.access)).await, StatusCode::OK).await,
        first
    );
    let alias = format!("/wallstreet/api/selection/{}/", first["id"]);
    assert_eq!(
        game.app.delete(&alias, Some(&ann.access)).await.status(),
        StatusCode::NO_CONTENT
    );
    json_of(game.pick(&ann, &options[3]).await, StatusCode::CREATED).await;
    assert_eq!(
        game.app
            .get("/api/wallstreet/selections/", None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn picks_close_when_the_market_opens_on_monday(backend: Backend) {
    let game = Game::start(backend).await;
    let spy = game.option("SPY", None).await;
    let vti = game.option("VTI", None).await;
    let ann = game.app.user("ann").await;
    game.clock
        .set(at(PICKS_CLOSE) - chrono::Duration::seconds(1));
    let kept = json_of(game.pick(&ann, &spy).await, StatusCode::CREATED).await;

    game.clock.set(at(PICKS_CLOSE));
    let late = json_of(game.pick(&ann, &vti).await, StatusCode::CONFLICT).await;
    assert_eq!(late["code"], "week_closed");
    assert!(late["detail"].as_str().unwrap().contains("closed"));
    let path = format!("/api/wallstreet/selections/{}/", kept["id"]);
    assert_eq!(
        json_of(
            game.app.delete(&path, Some(&ann.access)).await,
            StatusCode::CONFLICT
        )
        .await["code"],
        "week_closed"
    );
    assert_eq!(
        game.app.get(&path, Some(&ann.access)).await.status(),
        StatusCode::OK,
        "the pick stays"
    );
}

async fn twenty_concurrent_picks_make_exactly_three(backend: Backend) {
    let game = Game::start(backend).await;
    let tickers: Vec<String> = (0..20).map(|i| format!("T{i}")).collect();
    let mut options = Vec::new();
    for ticker in &tickers {
        options.push(game.option(ticker, None).await);
    }
    let ann = game.app.user("ann").await;
    let responses =
        futures_util::future::join_all(options.iter().map(|o| game.pick(&ann, o))).await;
    let mut created = 0;
    for response in responses {
        match response.status() {
            StatusCode::CREATED => created += 1,
            StatusCode::BAD_REQUEST => assert_eq!(
                response.json::<Value>().await.unwrap()["code"],
                "pick_limit"
            ),
            other => panic!("{other}: {}", response.text().await.unwrap()),
        }
    }
    assert_eq!(created, 3);
    let mine = json_of(
        game.app
            .get(
                &format!("/api/wallstreet/selections/?sunday={WEEK}"),
                Some(&ann.access),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine.as_array().unwrap().len(), 3);
}

async fn concurrent_duplicate_picks_make_exactly_one(backend: Backend) {
    let game = Game::start(backend).await;
    let spy = game.option("SPY", None).await;
    let ann = game.app.user("ann").await;
    let responses = futures_util::future::join_all((0..10).map(|_| game.pick(&ann, &spy))).await;
    let created = responses
        .iter()
        .filter(|r| r.status() == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1);
    assert!(responses
        .iter()
        .all(|r| r.status() == StatusCode::CREATED || r.status() == StatusCode::BAD_REQUEST));
}

/// The hand-checked example:
///   AAA 100 -> 110   +10.00  rank 2
///   BBB 200 -> 180   -10.00  rank 4
///   CCC  50 ->  55   +10.00  rank 2 (tie)
///   DDD   3 ->   4   +33.33  rank 1
/// ann picks AAA, BBB: (10 - 10) / 2 = 0.00; bob picks DDD: 33.33;
/// cat picks AAA, CCC, DDD: (10 + 10 + 33.33) / 3 = 17.776… -> 17.78.
async fn closing_a_week_scores_ranks_and_builds_the_leaderboard(backend: Backend) {
    let game = Game::start(backend).await;
    let starts = [("AAA", "100"), ("BBB", "200"), ("CCC", "50"), ("DDD", "3")];
    let mut ids = std::collections::HashMap::new();
    for (ticker, start) in starts {
        ids.insert(ticker, game.option(ticker, Some(start)).await);
    }
    for (name, picks) in [
        ("ann", vec!["AAA", "BBB"]),
        ("bob", vec!["DDD"]),
        ("cat", vec!["AAA", "CCC", "DDD"]),
    ] {
        let user = game.app.user(name).await;
        for ticker in picks {
            json_of(game.pick(&user, &ids[ticker]).await, StatusCode::CREATED).await;
        }
    }
    let early = game
        .app
        .get(&format!("/api/wallstreet/leaderboard/?sunday={WEEK}"), None)
        .await;
    assert_eq!(
        json_of(early, StatusCode::OK).await["count"],
        0,
        "nothing is scored before closing"
    );

    game.clock.set(at("2030-01-11T21:30:00Z"));
    let ends = json!({"AAA": "110", "BBB": "180", "CCC": 55, "DDD": "4"});
    let week = json_of(game.close(ends.clone()).await, StatusCode::OK).await;
    assert_eq!(week["closed"], true);
    let results: Vec<(String, String, i64)> = week["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["ticker"].as_str().unwrap().to_owned(),
                o["percent_change"].as_str().unwrap().to_owned(),
                o["rank"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("AAA", "10.00", 2),
        ("BBB", "-10.00", 4),
        ("CCC", "10.00", 2),
        ("DDD", "33.33", 1),
    ];
    for ((ticker, change, rank), (want_ticker, want_change, want_rank)) in
        results.iter().zip(expected)
    {
        assert_eq!(
            (ticker.as_str(), change.as_str(), *rank),
            (want_ticker, want_change, want_rank)
        );
    }
    assert_eq!(week["options"][0]["end_price"], "110.0000");

    let again = json_of(game.close(json!({})).await, StatusCode::OK).await;
    assert_eq!(
        again["options"], week["options"],
        "closing again changes nothing"
    );

    let board = json_of(
        game.app
            .get(&format!("/api/wallstreet/leaderboard/?sunday={WEEK}"), None)
            .await,
        StatusCode::OK,
    )
    .await;
    let rows: Vec<(i64, &str, &str)> = board["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rank"].as_i64().unwrap(),
                r["username"].as_str().unwrap(),
                r["score"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![(1, "bob", "33.33"), (2, "cat", "17.78"), (3, "ann", "0.00")]
    );
    assert!(
        board["results"][0].get("user").is_none() && board["results"][0].get("email").is_none()
    );

    let paged = json_of(
        game.app
            .get("/api/wallstreet/leaderboard/?page_size=2", None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(paged["count"], 3);
    assert_eq!(paged["results"][0]["username"], "bob");
    assert_eq!(paged["results"][0]["total"], "33.33");
    assert_eq!(paged["results"][0]["weeks_played"], 1);
    let next = paged["next"].as_str().unwrap().to_owned();
    let second = json_of(game.app.get(&next, None).await, StatusCode::OK).await;
    assert_eq!(second["results"].as_array().unwrap().len(), 1);
    assert_eq!(second["results"][0]["username"], "ann");
    assert!(second["next"].is_null() && second["previous"].is_string());
    assert_eq!(
        game.app
            .get("/api/wallstreet/leaderboard/?page=9", None)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        game.app
            .get("/api/wallstreet/leaderboard/?page=zero", None)
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

async fn a_week_cannot_close_without_prices(backend: Backend) {
    let game = Game::start(backend).await;
    game.option("SPY", None).await;
    game.clock.set(at("2030-01-11T21:30:00Z"));
    let missing_start = json_of(
        game.close(json!({"SPY": "410"})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(missing_start["detail"].as_str().unwrap().contains("SPY"));
    let open = format!("/api/wallstreet/weeks/{WEEK}/open/");
    let opened = json_of(
        game.app
            .post(
                &open,
                Some(&game.staff.access),
                json!({"prices": {"SPY": "400"}}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(opened["options"][0]["start_price"], "400.0000");
    assert_eq!(opened["started"], true);
    let missing_end = json_of(game.close(json!({})).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(missing_end["code"], "price_missing");
    let player = game.app.user("player").await;
    let refused = game.app.post(&open, Some(&player.access), json!({})).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let empty = game
        .app
        .post(
            "/api/wallstreet/weeks/2030-01-13/close/",
            Some(&game.staff.access),
            json!({}),
        )
        .await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
}

async fn a_week_closes_only_once_over_and_keeps_its_recorded_prices(backend: Backend) {
    let game = Game::start(backend).await;
    let spy = game.option("SPY", Some("100")).await;
    let ann = game.app.user("ann").await;
    json_of(game.pick(&ann, &spy).await, StatusCode::CREATED).await;

    // Thursday before the week even starts: closing needs force.
    let early = json_of(
        game.close(json!({"SPY": "110"})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        early["detail"].as_str().unwrap().contains("not over"),
        "{early}"
    );
    let path = format!("/api/wallstreet/weeks/{WEEK}/close/");
    let forced = game
        .app
        .post(
            &path,
            Some(&game.staff.access),
            json!({"prices": {"SPY": "110"}, "force": true}),
        )
        .await;
    assert_eq!(
        json_of(forced, StatusCode::OK).await["options"][0]["percent_change"],
        "10.00"
    );

    let correction = game
        .app
        .post(
            &path,
            Some(&game.staff.access),
            json!({"prices": {"SPY": "120"}, "force": true}),
        )
        .await;
    let correction = json_of(correction, StatusCode::CONFLICT).await;
    assert_eq!(correction["code"], "price_recorded");
    let same = game
        .app
        .post(
            &path,
            Some(&game.staff.access),
            json!({"prices": {"SPY": "110.00"}, "force": true}),
        )
        .await;
    assert_eq!(
        same.status(),
        StatusCode::OK,
        "repeating the recorded price is fine"
    );

    let refused = game
        .app
        .post(
            &path,
            Some(&ann.access),
            json!({"prices": "not even an object"}),
        )
        .await;
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "permission is checked before the body"
    );
}

async fn opening_a_week_with_a_price_list_adds_its_tickers(backend: Backend) {
    let game = Game::start(backend).await;
    game.option("SPY", None).await;
    let path = format!("/api/wallstreet/weeks/{WEEK}/open/");
    let body = json!({"prices": {"SPY": "470", "vti": "230.5"}});
    let week = json_of(
        game.app.post(&path, Some(&game.staff.access), body).await,
        StatusCode::OK,
    )
    .await;
    let tickers: Vec<(&str, &str)> = week["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["ticker"].as_str().unwrap(),
                o["start_price"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(tickers, vec![("SPY", "470.0000"), ("VTI", "230.5000")]);
    let bad = game
        .app
        .post(
            &path,
            Some(&game.staff.access),
            json!({"prices": {"NOT.OK": "1"}}),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

/// The three-per-week key relies on a pick's week; the database itself keeps it equal to the
/// week of the picked option, whatever writes to it.
async fn a_pick_cannot_be_moved_to_another_week(backend: Backend) {
    let game = Game::start(backend).await;
    let spy = game.option("SPY", None).await;
    let ann = game.app.user("ann").await;
    json_of(game.pick(&ann, &spy).await, StatusCode::CREATED).await;
    let url = game.app.database_url().to_owned();
    let moved = tokio::task::spawn_blocking(move || {
        execute_sql(&url, "UPDATE selections SET sunday = '2030-01-13'")
    })
    .await
    .unwrap();
    assert!(
        moved.is_err(),
        "the foreign key to (option, week) refuses it"
    );
}

crate::per_backend!(
    a_pick_cannot_be_moved_to_another_week,
    a_week_closes_only_once_over_and_keeps_its_recorded_prices,
    opening_a_week_with_a_price_list_adds_its_tickers,
    options_are_public_and_created_by_staff_only,
    out_of_range_prices_get_drfs_messages,
    the_week_query_is_validated_and_defaults_to_the_current_week,
    picks_follow_the_rules,
    picks_close_when_the_market_opens_on_monday,
    twenty_concurrent_picks_make_exactly_three,
    concurrent_duplicate_picks_make_exactly_one,
    closing_a_week_scores_ranks_and_builds_the_leaderboard,
    a_week_cannot_close_without_prices,
    the_scheduler_runs_each_job_once_across_replicas,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quotes_come_through_the_server_with_retries_and_a_cache() {
    let finnhub = FakeFinnhub::start(&[("SPY", "471.25"), ("VTI", "237.5")]);
    let game = Game::start_with(Backend::Sqlite, Some(&finnhub), false).await;
    let user = game.app.user("quoter").await;
    assert_eq!(
        game.app
            .get("/api/quotes/?symbols=SPY", None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    finnhub.fail_next("SPY", &[429, 503]);
    let body = json_of(
        game.app
            .get("/api/quotes/?symbols=spy,VTI,ZZZZ", Some(&user.access))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["quotes"]["SPY"]["price"], "471.25");
    assert_eq!(body["quotes"]["VTI"]["price"], "237.5");
    assert_eq!(body["unknown"], json!(["ZZZZ"]));
    assert_eq!(
        finnhub.hits("SPY"),
        3,
        "two scripted failures, then success"
    );

    json_of(
        game.app
            .get("/api/quotes/?symbols=SPY", Some(&user.access))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(finnhub.hits("SPY"), 3, "answered from the cache");

    finnhub.fail_next("QQQ", &[0, 0, 0, 0]);
    let timed_out = game
        .app
        .get("/api/quotes/?symbols=QQQ", Some(&user.access))
        .await;
    assert_eq!(
        json_of(timed_out, StatusCode::BAD_GATEWAY).await["code"],
        "bad_gateway"
    );
    let invalid = game
        .app
        .get("/api/quotes/?symbols=BRK/B", Some(&user.access))
        .await;
    assert!(json_of(invalid, StatusCode::BAD_REQUEST).await["symbols"].is_array());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_finnhub_key_is_a_502_without_retries() {
    let finnhub = FakeFinnhub::start(&[("SPY", "471.25")]);
    let db = tokio::task::spawn_blocking(|| TestDb::new(Backend::Sqlite))
        .await
        .unwrap();
    let mut options = test_options(&db.url);
    options.quotes.finnhub_url = finnhub.url.clone();
    let app = TestApp::spawn_game(
        db,
        options,
        Some("not-the-key"),
        ManualClock::new(at("2030-01-03T12:00:00Z")),
    );
    let user = app.user("quoter").await;
    let response = app
        .get("/api/quotes/?symbols=SPY", Some(&user.access))
        .await;
    assert_eq!(
        json_of(response, StatusCode::BAD_GATEWAY).await["code"],
        "bad_gateway"
    );
    assert_eq!(finnhub.rejected(), 1, "a refused key is not retried");
}

async fn wait_until(mut done: impl AsyncFnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !done().await {
        assert!(std::time::Instant::now() < deadline, "timed out");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn the_scheduler_runs_each_job_once_across_replicas(backend: Backend) {
    let finnhub = FakeFinnhub::start(&[("AAA", "10"), ("BBB", "20")]);
    let db = tokio::task::spawn_blocking(move || TestDb::new(backend))
        .await
        .unwrap();
    let url = db.url.clone();
    let first = Game::on(db, Some(&finnhub), true).await;
    let mut options = test_options(&url);
    options.quotes.finnhub_url = finnhub.url.clone();
    options.scheduler.wallstreet_scheduler = true;
    options.quotes.quote_cache_secs = 0;
    let second = TestApp::spawn_game(
        TestDb::external(url),
        options,
        Some(TOKEN),
        first.clock.clone(),
    );
    for ticker in ["AAA", "BBB"] {
        first.option(ticker, None).await;
    }

    // Monday after the market opened: both replicas try to record the start prices.
    first.clock.set(at("2030-01-07T15:00:00Z"));
    let path = format!("/api/wallstreet/weeks/{WEEK}/");
    wait_until(async || {
        json_of(first.app.get(&path, None).await, StatusCode::OK).await["started"] == true
    })
    .await;
    let week = json_of(second.get(&path, None).await, StatusCode::OK).await;
    assert_eq!(week["options"][0]["start_price"], "10.0000");

    finnhub.set_price("AAA", "11");
    finnhub.set_price("BBB", "19");
    first.clock.set(at("2030-01-11T22:00:00Z"));
    wait_until(async || {
        json_of(first.app.get(&path, None).await, StatusCode::OK).await["closed"] == true
    })
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        finnhub.hits("AAA"),
        2,
        "one start and one end price, whatever the number of replicas"
    );
    assert_eq!(finnhub.hits("BBB"), 2);
    // Each job ran once, on one replica or the other.
    let (one, other) = (scrape(&first.app).await, scrape(&second).await);
    for job in ["record_start_prices", "close_week"] {
        let series = format!(r#"api_scheduler_jobs_total{{job="{job}",outcome="ok"}}"#);
        assert_eq!(
            sample(&one, &series) + sample(&other, &series),
            1.0,
            "{job}"
        );
    }
    let week = json_of(second.get(&path, None).await, StatusCode::OK).await;
    assert_eq!(week["options"][0]["percent_change"], "10.00");
    assert_eq!(week["options"][1]["percent_change"], "-5.00");
}
