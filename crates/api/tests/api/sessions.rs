//! Sessions you can end: refresh tokens rotate and a reused one ends its session, logout ends
//! one session, a password change ends them all, and the account can be read and deleted.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{db_pool, json_of, Backend, TestApp, TestUser, PASSWORD};

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post("/api/token/refresh/", None, json!({"refresh": token}))
        .await
}

async fn works(app: &TestApp, access: &str) -> bool {
    match app.get("/api/assets/", Some(access)).await.status() {
        StatusCode::OK => true,
        StatusCode::UNAUTHORIZED => false,
        other => panic!("unexpected {other}"),
    }
}

async fn another_login(app: &TestApp, username: &str, password: &str) -> TestUser {
    let tokens = json_of(app.login(username, password).await, StatusCode::OK).await;
    TestUser {
        id: 0,
        access: tokens["access"].as_str().unwrap().to_owned(),
        refresh: tokens["refresh"].as_str().unwrap().to_owned(),
    }
}

async fn refreshing_rotates_the_refresh_token(app: TestApp) {
    let user = app.user("sam").await;
    let first = json_of(refresh(&app, &user.refresh).await, StatusCode::OK).await;
    let (access, rotated) = (
        first["access"].as_str().unwrap(),
        first["refresh"].as_str().unwrap(),
    );
    assert_ne!(rotated, user.refresh);
    assert!(works(&app, access).await);
    let second = json_of(refresh(&app, rotated).await, StatusCode::OK).await;
    assert!(works(&app, second["access"].as_str().unwrap()).await);
    let via_alias = app
        .post(
            "/portfolio/api/token/refresh/",
            None,
            json!({"refresh": second["refresh"]}),
        )
        .await;
    assert_eq!(via_alias.status(), StatusCode::OK);
}

async fn a_reused_refresh_token_ends_its_whole_session(app: TestApp) {
    let user = app.user("tina").await;
    let laptop = another_login(&app, "tina", PASSWORD).await;
    assert!(works(&app, &user.access).await);
    let rotated = json_of(refresh(&app, &user.refresh).await, StatusCode::OK).await;
    assert!(works(&app, rotated["access"].as_str().unwrap()).await);
    let reused = json_of(refresh(&app, &user.refresh).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(reused["code"], "token_not_valid");
    // The thief's copy and the owner's rotated tokens died together...
    let after = refresh(&app, rotated["refresh"].as_str().unwrap()).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    assert!(!works(&app, rotated["access"].as_str().unwrap()).await);
    assert!(!works(&app, &user.access).await);
    // ...and the account's other sessions were not touched.
    assert!(works(&app, &laptop.access).await);
    assert_eq!(
        refresh(&app, &laptop.refresh).await.status(),
        StatusCode::OK
    );
}

async fn logging_out_ends_that_session_only(app: TestApp) {
    let user = app.user("uma").await;
    let phone = another_login(&app, "uma", PASSWORD).await;
    // Used first, so its account check is cached: logging out must forget it at once.
    assert!(works(&app, &user.access).await);
    let body = json!({"refresh": user.refresh});
    let out = app.post("/api/token/logout/", None, body.clone()).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(!works(&app, &user.access).await);
    assert_eq!(
        refresh(&app, &user.refresh).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(works(&app, &phone.access).await);
    let again = app.post("/api/token/logout/", None, body).await;
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
    for bad in [
        json!({"refresh": "garbage"}),
        json!({"refresh": phone.access}),
    ] {
        let refused = json_of(
            app.post("/api/token/logout/", None, bad).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        assert_eq!(refused["code"], "token_not_valid");
    }
    let missing = json_of(
        app.post("/api/token/logout/", None, json!({})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(missing["refresh"][0], "This field is required.");
}

async fn me_is_the_callers_account(app: TestApp) {
    let user = app.user("vera").await;
    let me = json_of(
        app.get("/api/users/me/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["id"], user.id);
    assert_eq!(me["username"], "vera");
    assert_eq!(me["email"], "");
    assert_eq!(me["is_staff"], false);
    let joined = me["date_joined"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(joined).is_ok(),
        "{joined}"
    );
    assert!(me.get("password_hash").is_none() && me.get("password").is_none());
    let anonymous = app.get("/api/users/me/", None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

async fn changing_the_password_needs_the_old_one_and_ends_every_session(app: TestApp) {
    let user = app.user("walt").await;
    let tablet = another_login(&app, "walt", PASSWORD).await;
    assert!(works(&app, &tablet.access).await);
    let change = |old: &str, new: &str| {
        let body = json!({"old_password": old, "new_password": new});
        app.post("/api/users/me/password/", Some(&user.access), body)
    };
    let wrong = json_of(
        change("not-it-at-all", "a-brand-new-secret").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(wrong["old_password"][0]
        .as_str()
        .unwrap()
        .contains("incorrectly"));
    let short = json_of(change(PASSWORD, "short").await, StatusCode::BAD_REQUEST).await;
    assert!(short["new_password"][0]
        .as_str()
        .unwrap()
        .contains("too short"));
    assert!(works(&app, &user.access).await);

    assert_eq!(
        change(PASSWORD, "a-brand-new-secret").await.status(),
        StatusCode::NO_CONTENT
    );
    for session in [&user, &tablet] {
        assert!(!works(&app, &session.access).await);
        assert_eq!(
            refresh(&app, &session.refresh).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login("walt", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("walt", "a-brand-new-secret").await.status(),
        StatusCode::OK
    );
}

async fn deleting_the_account_takes_its_data_and_needs_the_password(app: TestApp) {
    let user = app.user("xena").await;
    let other = app.user("yuri").await;
    app.asset(&user, "SPY").await;
    let kept = app.asset(&other, "VTI").await;
    let delete = |password: &str| {
        let body = json!({"password": password});
        let access = user.access.clone();
        let app = &app;
        async move {
            app.request(
                reqwest::Method::DELETE,
                "/api/users/me/",
                Some(&access),
                Some(&body),
            )
            .await
        }
    };
    let wrong = json_of(delete("not-it-at-all").await, StatusCode::BAD_REQUEST).await;
    assert!(wrong["password"][0]
        .as_str()
        .unwrap()
        .contains("incorrectly"));
    assert!(works(&app, &user.access).await);

    assert_eq!(delete(PASSWORD).await.status(), StatusCode::NO_CONTENT);
    assert!(!works(&app, &user.access).await);
    assert_eq!(
        refresh(&app, &user.refresh).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("xena", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let url = app.database_url().to_owned();
    let (assets, sessions) = tokio::task::spawn_blocking(move || rows_of(&url, user.id))
        .await
        .unwrap();
    assert_eq!((assets, sessions), (0, 0));
    let others: Value = json_of(
        app.get("/api/assets/", Some(&other.access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(others[0]["id"], kept["id"]);
    assert_eq!(
        app.register("xena", PASSWORD).await.status(),
        StatusCode::CREATED
    );
}

/// How many transactions and sessions `user_id` has in the database (blocking).
fn rows_of(url: &str, user_id: i64) -> (i64, i64) {
    use api::db::schema::{sessions, transactions};
    use diesel::prelude::*;
    let mut conn = db_pool(url).get().expect("a connection");
    api::with_conn!(&mut conn, |c| {
        let holdings = transactions::table
            .filter(transactions::user_id.eq(user_id))
            .count()
            .get_result(c)
            .expect("count transactions");
        let logins = sessions::table
            .filter(sessions::user_id.eq(user_id))
            .count()
            .get_result(c)
            .expect("count sessions");
        (holdings, logins)
    })
}

crate::backend_tests!(
    refreshing_rotates_the_refresh_token,
    a_reused_refresh_token_ends_its_whole_session,
    logging_out_ends_that_session_only,
    me_is_the_callers_account,
    changing_the_password_needs_the_old_one_and_ends_every_session,
    deleting_the_account_takes_its_data_and_needs_the_password,
);

async fn expired_sessions_are_pruned(backend: Backend) {
    let app = TestApp::spawn_with(backend, |options| {
        options.tokens.refresh_token_lifetime_secs = 1;
        options.logins.prune_interval_secs = 1;
    })
    .await;
    let user = app.user("zoe").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let url = app.database_url().to_owned();
        let (_, sessions) = tokio::task::spawn_blocking(move || rows_of(&url, user.id))
            .await
            .unwrap();
        if sessions == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the expired session was never pruned"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_sessions_are_pruned_on_sqlite() {
    expired_sessions_are_pruned(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_sessions_are_pruned_on_postgres() {
    expired_sessions_are_pruned(Backend::Postgres).await;
}
