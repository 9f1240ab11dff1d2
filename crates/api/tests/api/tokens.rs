use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json_of, Backend, TestApp, ACCOUNT_CACHE_MS, PASSWORD};

async fn logging_in_gives_an_access_and_a_refresh_token(app: TestApp) {
    app.user("erin").await;
    let tokens = json_of(app.login("erin", PASSWORD).await, StatusCode::OK).await;
    let access = tokens["access"].as_str().unwrap();
    assert_ne!(access, tokens["refresh"].as_str().unwrap());
    assert_eq!(
        app.get("/api/assets/", Some(access)).await.status(),
        StatusCode::OK
    );
    let via_alias = app
        .post(
            "/portfolio/api/token/",
            None,
            json!({"username": "ERIN", "password": PASSWORD}),
        )
        .await;
    assert_eq!(via_alias.status(), StatusCode::OK);
}

async fn wrong_password_and_unknown_user_look_the_same(app: TestApp) {
    app.user("frank").await;
    let wrong = app.login("frank", "not-the-password").await;
    let unknown = app.login("nobody-here", "not-the-password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.text().await.unwrap(), unknown.text().await.unwrap());
}

async fn a_refresh_token_buys_new_tokens(app: TestApp) {
    let user = app.user("gina").await;
    let body = json!({"refresh": user.refresh});
    let refreshed = json_of(
        app.post("/api/token/refresh/", None, body.clone()).await,
        StatusCode::OK,
    )
    .await;
    let access = refreshed["access"].as_str().unwrap();
    assert_eq!(
        app.get("/api/assets/", Some(access)).await.status(),
        StatusCode::OK
    );
    let rotated = json!({"refresh": refreshed["refresh"]});
    let via_alias = app
        .post("/portfolio/api/token/refresh/", None, rotated)
        .await;
    assert_eq!(via_alias.status(), StatusCode::OK);
}

async fn tokens_are_never_accepted_for_the_wrong_job(app: TestApp) {
    let user = app.user("hank").await;
    let refresh_as_access = app.get("/api/assets/", Some(&user.refresh)).await;
    let body = json_of(refresh_as_access, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "token_not_valid");
    let access_as_refresh = app
        .post("/api/token/refresh/", None, json!({"refresh": user.access}))
        .await;
    let body = json_of(access_as_refresh, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "token_not_valid");
}

async fn invalid_tokens_are_401_token_not_valid(app: TestApp) {
    let user = app.user("ivy").await;
    let mut tampered = user.access.clone();
    tampered.pop();
    tampered.push(if user.access.ends_with('A') { 'B' } else { 'A' });
    let forged_elsewhere = {
        let other = api::auth::TokenService::new(
            b"some other key entirely, not the server's",
            std::time::Duration::from_secs(60),
            std::time::Duration::from_secs(60),
        );
        let session = api::auth::tokens::SessionToken {
            user_id: user.id,
            session_id: 1,
            generation: 0,
        };
        let now = api::auth::tokens::now();
        other
            .issue(api::auth::TokenKind::Access, session, now)
            .unwrap()
    };
    for token in [
        tampered.as_str(),
        "garbage",
        "a.b.c",
        forged_elsewhere.as_str(),
    ] {
        let body = json_of(
            app.get("/api/assets/", Some(token)).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        assert_eq!(body["code"], "token_not_valid", "{token}");
        assert!(body["detail"].is_string());
    }
    let body = json!({"refresh": "garbage"});
    let refused = json_of(
        app.post("/api/token/refresh/", None, body).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(refused["code"], "token_not_valid");
}

async fn missing_credentials_are_401_with_the_drf_message(app: TestApp) {
    let response = app.get("/api/assets/", None).await;
    assert!(response.headers().contains_key("www-authenticate"));
    let body = json_of(response, StatusCode::UNAUTHORIZED).await;
    assert_eq!(
        body["detail"],
        "Authentication credentials were not provided."
    );
    let basic = app
        .client
        .get(app.url("/api/assets/"))
        .basic_auth("someone", Some("pw"))
        .send()
        .await
        .unwrap();
    let body = json_of(basic, StatusCode::UNAUTHORIZED).await;
    assert_eq!(
        body["detail"],
        "Authentication credentials were not provided."
    );
}

async fn a_login_needs_both_fields(app: TestApp) {
    let errors = json_of(
        app.post("/api/token/", None, json!({"username": "x"}))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(errors["password"][0], "This field is required.");
    let errors = json_of(
        app.post("/api/token/refresh/", None, json!({})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(errors["refresh"][0], "This field is required.");
}

/// Changes made outside the process (SQL here; another replica or an admin command in a
/// deployment) reach its reused account checks within `ACCOUNT_CACHE_MS`.
async fn a_deactivated_or_deleted_account_loses_its_tokens_within_the_cache_lifetime(app: TestApp) {
    let user = app.user("leaver").await;
    let other = app.user("stayer").await;
    for token in [&user.access, &other.access] {
        assert_eq!(
            app.get("/api/assets/", Some(token)).await.status(),
            StatusCode::OK
        );
    }
    app.execute_sql(format!(
        "UPDATE users SET is_active = false WHERE id = {}",
        user.id
    ))
    .await;
    let changed = Instant::now();
    // Well past the bound, so a loaded machine cannot fail it; a cache that never expired
    // would still be caught.
    let deadline = Duration::from_millis(ACCOUNT_CACHE_MS) + Duration::from_secs(5);
    let refused = loop {
        let response = app.get("/api/assets/", Some(&user.access)).await;
        if response.status() != StatusCode::OK {
            break json_of(response, StatusCode::UNAUTHORIZED).await;
        }
        assert!(
            changed.elapsed() < deadline,
            "a deactivated account was still served after {:?}",
            changed.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(refused["code"], "token_not_valid");
    app.execute_sql(format!("DELETE FROM users WHERE id = {}", user.id))
        .await;
    let body = json!({"ticker": "A", "shares": "1", "costbasis": "1", "buy": "2020-01-01"});
    let refused = json_of(
        app.post("/api/assets/", Some(&user.access), body).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(refused["code"], "token_not_valid");
    assert_eq!(
        app.get("/api/assets/", Some(&other.access)).await.status(),
        StatusCode::OK
    );
}

async fn impossible_usernames_are_just_failed_logins(app: TestApp) {
    for name in ["a\u{0}b", "", "x".repeat(500).as_str()] {
        let response = app.login(name, "whatever-password").await;
        assert_eq!(
            json_of(response, StatusCode::UNAUTHORIZED).await["code"],
            "no_active_account",
            "{name:?}"
        );
    }
}

crate::backend_tests!(
    a_deactivated_or_deleted_account_loses_its_tokens_within_the_cache_lifetime,
    impossible_usernames_are_just_failed_logins,
    logging_in_gives_an_access_and_a_refresh_token,
    wrong_password_and_unknown_user_look_the_same,
    a_refresh_token_buys_new_tokens,
    tokens_are_never_accepted_for_the_wrong_job,
    invalid_tokens_are_401_token_not_valid,
    missing_credentials_are_401_with_the_drf_message,
    a_login_needs_both_fields,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens_are_refused_and_lifetimes_are_configurable() {
    let app = TestApp::spawn_with(Backend::Sqlite, |options| {
        options.tokens.access_token_lifetime_secs = 1;
        options.tokens.refresh_token_lifetime_secs = 3;
    })
    .await;
    let user = app.user("jack").await;
    assert_eq!(
        app.get("/api/assets/", Some(&user.access)).await.status(),
        StatusCode::OK
    );

    // Token times have one-second resolution: two seconds on, the access token is past its
    // expiry while the refresh token is not.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let expired = json_of(
        app.get("/api/assets/", Some(&user.access)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(expired["code"], "token_not_valid");
    let body = json!({"refresh": user.refresh});
    let renewed = json_of(
        app.post("/api/token/refresh/", None, body.clone()).await,
        StatusCode::OK,
    )
    .await;
    let access = renewed["access"].as_str().unwrap();
    assert_eq!(
        app.get("/api/assets/", Some(access)).await.status(),
        StatusCode::OK
    );

    tokio::time::sleep(std::time::Duration::from_millis(2000)).await;
    let refused = app.post("/api/token/refresh/", None, body).await;
    assert_eq!(
        json_of(refused, StatusCode::UNAUTHORIZED).await["code"],
        "token_not_valid"
    );
}

/// An account deleted elsewhere while its check is still reused: its writes are refused
/// cleanly (the database's foreign key, on either backend), never half done.
async fn a_write_by_an_account_deleted_elsewhere_is_409_deleted(backend: Backend) {
    let app = TestApp::spawn_with(backend, |options| {
        options.tokens.account_cache_ms = 60_000;
    })
    .await;
    let gone = app.user("gone").await;
    assert_eq!(
        app.get("/api/assets/", Some(&gone.access)).await.status(),
        StatusCode::OK
    );
    app.execute_sql(format!("DELETE FROM users WHERE id = {}", gone.id))
        .await;
    let body = json!({"ticker": "A", "shares": "1", "costbasis": "1", "buy": "2020-01-01"});
    let refused = json_of(
        app.post("/api/assets/", Some(&gone.access), body).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(refused["code"], "deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_by_an_account_deleted_elsewhere_is_409_deleted_on_sqlite() {
    a_write_by_an_account_deleted_elsewhere_is_409_deleted(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_by_an_account_deleted_elsewhere_is_409_deleted_on_postgres() {
    a_write_by_an_account_deleted_elsewhere_is_409_deleted(Backend::Postgres).await;
}

/// The account check is reused for `ACCOUNT_CACHE_MS` (a change made outside the process is
/// seen only after it), what this process changes is forgotten at once, and 0 checks every
/// request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_checks_are_reused_for_the_cache_lifetime_only() {
    let app = TestApp::spawn_with(Backend::Sqlite, |options| {
        options.tokens.account_cache_ms = 60_000;
    })
    .await;
    let user = app.user("kept").await;
    let status = |token: String| {
        let app = &app;
        async move { app.get("/api/assets/", Some(&token)).await.status() }
    };
    assert_eq!(status(user.access.clone()).await, StatusCode::OK);
    app.execute_sql(format!(
        "UPDATE users SET is_active = false WHERE id = {}",
        user.id
    ))
    .await;
    assert_eq!(
        status(user.access.clone()).await,
        StatusCode::OK,
        "the check made moments ago is reused"
    );
    let out = app
        .post("/api/token/logout/", None, json!({"refresh": user.refresh}))
        .await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(status(user.access.clone()).await, StatusCode::UNAUTHORIZED);

    let uncached = TestApp::spawn_with(Backend::Sqlite, |options| {
        options.tokens.account_cache_ms = 0;
    })
    .await;
    let user = uncached.user("checked").await;
    assert_eq!(
        uncached
            .get("/api/assets/", Some(&user.access))
            .await
            .status(),
        StatusCode::OK
    );
    uncached
        .execute_sql(format!(
            "UPDATE users SET is_active = false WHERE id = {}",
            user.id
        ))
        .await;
    assert_eq!(
        uncached
            .get("/api/assets/", Some(&user.access))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}
