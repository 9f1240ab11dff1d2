//! Accounts that still carry a Django password hash, as `api import-django` brings them in:
//! the old password logs in, and the first login replaces the hash with our Argon2id.

use reqwest::StatusCode;

use crate::helpers::django::{self, stored_password_hash};
use crate::helpers::{execute_sql, json_of, TestApp, PASSWORD};

/// Registers `username` and gives the account `hash` in place of the one registering made.
async fn account_with_hash(app: &TestApp, username: &str, hash: String) {
    app.user(username).await;
    app.execute_sql(format!(
        "UPDATE users SET password_hash = '{hash}' WHERE username = '{username}'"
    ))
    .await;
}

async fn hash_of(app: &TestApp, username: &str) -> String {
    let (url, username) = (app.database_url().to_owned(), username.to_owned());
    tokio::task::spawn_blocking(move || stored_password_hash(&url, &username))
        .await
        .unwrap()
}

async fn django_passwords_log_in_once_then_are_argon2id(app: TestApp) {
    let kinds = [
        (
            "pbkdf2",
            django::pbkdf2_sha256("old-django-pass", "Rz5iDvSQDYyp", 20_000),
        ),
        (
            "sha1",
            django::pbkdf2_sha1("old-django-pass", "hOvrdtgcN5KH", 10_000),
        ),
        ("argon", django::argon2("old-django-pass")),
    ];
    for (username, hash) in kinds {
        account_with_hash(&app, username, hash.clone()).await;
        let wrong = app.login(username, "not-the-old-pass").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "{username}");
        assert_eq!(
            hash_of(&app, username).await,
            hash,
            "a failed login changes nothing"
        );

        let tokens = json_of(app.login(username, "old-django-pass").await, StatusCode::OK).await;
        let access = tokens["access"].as_str().unwrap();
        assert_eq!(
            app.get("/api/assets/", Some(access)).await.status(),
            StatusCode::OK
        );
        let upgraded = hash_of(&app, username).await;
        assert!(upgraded.starts_with("$argon2id$"), "{username}: {upgraded}");

        json_of(app.login(username, "old-django-pass").await, StatusCode::OK).await;
        assert_eq!(hash_of(&app, username).await, upgraded, "upgraded once");
        let wrong = app.login(username, PASSWORD).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "{username}");
    }
}

async fn an_unusable_django_password_never_logs_in(app: TestApp) {
    account_with_hash(&app, "locked", django::UNUSABLE.into()).await;
    let suffix = &django::UNUSABLE[1..];
    for attempt in ["", "!", suffix, django::UNUSABLE, PASSWORD] {
        let refused = app.login("locked", attempt).await;
        assert_eq!(
            json_of(refused, StatusCode::UNAUTHORIZED).await["code"],
            "no_active_account",
            "{attempt:?}"
        );
    }
    assert_eq!(hash_of(&app, "locked").await, django::UNUSABLE);
}

async fn a_deactivated_django_account_stays_out_and_keeps_its_hash(app: TestApp) {
    let hash = django::pbkdf2_sha256("old-django-pass", "Zq1vW8xPd3kL", 20_000);
    account_with_hash(&app, "gone", hash.clone()).await;
    let url = app.database_url().to_owned();
    tokio::task::spawn_blocking(move || {
        execute_sql(
            &url,
            "UPDATE users SET is_active = false WHERE username = 'gone'",
        )
    })
    .await
    .unwrap()
    .unwrap();
    let refused = app.login("gone", "old-django-pass").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(hash_of(&app, "gone").await, hash);
}

crate::backend_tests!(
    django_passwords_log_in_once_then_are_argon2id,
    an_unusable_django_password_never_logs_in,
    a_deactivated_django_account_stays_out_and_keeps_its_hash,
);
