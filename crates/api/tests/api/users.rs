use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json_of, TestApp, PASSWORD};

async fn registering_returns_the_account_without_the_password(app: TestApp) {
    let body = json!({"username": "alice", "password": PASSWORD, "email": "alice@example.com"});
    let created = json_of(
        app.post("/api/users/", None, body).await,
        StatusCode::CREATED,
    )
    .await;
    assert!(created["id"].as_i64().is_some());
    assert_eq!(created["username"], "alice");
    assert_eq!(created["email"], "alice@example.com");
    assert_eq!(created.as_object().unwrap().len(), 3, "{created}");
}

async fn the_django_path_registers_too(app: TestApp) {
    let body = json!({"username": "bob", "password": PASSWORD, "email": ""});
    let created = json_of(
        app.post("/portfolio/api/users/", None, body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["email"], "");
    assert_eq!(app.login("bob", PASSWORD).await.status(), StatusCode::OK);
}

async fn registering_twice_is_a_400_keyed_username(app: TestApp) {
    app.user("carol").await;
    for name in ["carol", "CAROL", "Carol"] {
        let errors = json_of(app.register(name, PASSWORD).await, StatusCode::BAD_REQUEST).await;
        assert!(
            errors["username"][0]
                .as_str()
                .unwrap()
                .contains("already exists"),
            "{errors}"
        );
    }
}

async fn bad_usernames_are_field_errors(app: TestApp) {
    let too_long = "a".repeat(151);
    for name in ["", "has space", "semi;colon", "slash/y", too_long.as_str()] {
        let errors = json_of(app.register(name, PASSWORD).await, StatusCode::BAD_REQUEST).await;
        assert!(errors["username"].is_array(), "{name:?}: {errors}");
    }
    let longest = "b".repeat(150);
    for name in ["a", "x.y+z-w_v@q", "Zoë", longest.as_str()] {
        assert_eq!(
            app.register(name, PASSWORD).await.status(),
            StatusCode::CREATED,
            "{name:?}"
        );
    }
}

async fn short_passwords_and_bad_emails_are_refused_together(app: TestApp) {
    let body = json!({"username": "dave", "password": "1234567", "email": "not-an-email"});
    let errors = json_of(
        app.post("/api/users/", None, body).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        errors["password"][0]
            .as_str()
            .unwrap()
            .contains("at least 8"),
        "{errors}"
    );
    assert!(
        errors["email"][0].as_str().unwrap().contains("valid email"),
        "{errors}"
    );
    assert!(errors.get("username").is_none());
    assert_eq!(
        app.login("dave", "1234567").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn missing_and_mistyped_fields_are_named(app: TestApp) {
    let errors = json_of(
        app.post("/api/users/", None, json!({})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(errors["username"][0], "This field is required.");
    assert_eq!(errors["password"][0], "This field is required.");
    let body = json!({"username": 42, "password": ["x"], "email": null});
    let errors = json_of(
        app.post("/api/users/", None, body).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(errors["username"][0], "Not a valid string.");
    assert_eq!(errors["password"][0], "Not a valid string.");
    assert_eq!(errors["email"][0], "This field may not be null.");
}

async fn parallel_registrations_of_one_name_make_exactly_one_account(app: TestApp) {
    let attempts = (0..16).map(|i| {
        let name = if i % 2 == 0 { "racer" } else { "RACER" };
        app.register(name, PASSWORD)
    });
    let responses = futures_util::future::join_all(attempts).await;
    let mut created = 0;
    for response in responses {
        match response.status() {
            StatusCode::CREATED => created += 1,
            StatusCode::BAD_REQUEST => {
                let errors: serde_json::Value = response.json().await.unwrap();
                assert!(errors["username"].is_array(), "{errors}");
            }
            other => panic!("unexpected {other}: {}", response.text().await.unwrap()),
        }
    }
    assert_eq!(created, 1);
}

/// An empty form field gets "required", not a message about a format it never had a chance to
/// follow (a blank date was "wrong format", a blank price "a valid number", a blank password
/// "entirely numeric").
async fn blank_required_fields_are_called_required(app: TestApp) {
    const REQUIRED: &str = "This field is required.";
    let errors = json_of(
        app.post(
            "/api/users/",
            None,
            serde_json::json!({"username": " ", "password": ""}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        errors["username"],
        serde_json::json!([REQUIRED]),
        "{errors}"
    );
    assert_eq!(
        errors["password"],
        serde_json::json!([REQUIRED]),
        "{errors}"
    );

    let user = app.user("blank").await;
    let errors = json_of(
        app.post(
            "/api/transactions/",
            Some(&user.access),
            serde_json::json!({"type": "BUY", "ticker": "VTI", "date": "", "quantity": "", "price": ""}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    for field in ["date", "quantity", "price"] {
        assert_eq!(
            errors[field],
            serde_json::json!([REQUIRED]),
            "{field}: {errors}"
        );
    }
    let errors = json_of(
        app.post(
            "/api/assets/",
            Some(&user.access),
            serde_json::json!({"ticker": "VTI", "shares": "2", "costbasis": "", "buy": ""}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    for field in ["costbasis", "buy"] {
        assert_eq!(
            errors[field],
            serde_json::json!([REQUIRED]),
            "{field}: {errors}"
        );
    }
}

/// Tokens and users' data must not be kept by a cache on the way or on the browser's disk.
async fn answers_with_tokens_or_data_are_never_stored(app: TestApp) {
    let user = app.user("nostore").await;
    let login = app.login("nostore", PASSWORD).await;
    assert_eq!(login.headers()["cache-control"], "no-store");
    for path in [
        "/api/users/me/",
        "/api/transactions/",
        "/api/portfolio/positions/",
    ] {
        let response = app.get(path, Some(&user.access)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
}

crate::backend_tests!(
    answers_with_tokens_or_data_are_never_stored,
    blank_required_fields_are_called_required,
    registering_returns_the_account_without_the_password,
    the_django_path_registers_too,
    registering_twice_is_a_400_keyed_username,
    bad_usernames_are_field_errors,
    short_passwords_and_bad_emails_are_refused_together,
    missing_and_mistyped_fields_are_named,
    parallel_registrations_of_one_name_make_exactly_one_account,
);
