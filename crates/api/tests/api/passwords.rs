//! Passwords and names people can trust: Django's password checks with Django's messages, and
//! usernames unique by how they look (Unicode TR39 confusable skeletons).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    create_staff, db_pool, execute_sql, json_of, Backend, TestApp, TestDb, PASSWORD,
};

async fn register(app: &TestApp, body: Value) -> Value {
    json_of(
        app.post("/api/users/", None, body).await,
        StatusCode::BAD_REQUEST,
    )
    .await
}

async fn common_numeric_and_similar_passwords_are_refused(app: TestApp) {
    let common = register(&app, json!({"username": "amy", "password": "password"})).await;
    assert_eq!(
        common,
        json!({"password": ["This password is too common."]})
    );
    let numeric = register(&app, json!({"username": "amy", "password": "12345678"})).await;
    assert_eq!(
        numeric,
        json!({"password": ["This password is too common.", "This password is entirely numeric."]})
    );
    let digits = register(&app, json!({"username": "amy", "password": "80417395621"})).await;
    assert_eq!(
        digits,
        json!({"password": ["This password is entirely numeric."]})
    );
    let like_name = register(
        &app,
        json!({"username": "wilhelmina", "password": "Wilhelmina7"}),
    )
    .await;
    assert_eq!(
        like_name,
        json!({"password": ["The password is too similar to the username."]})
    );
    let body =
        json!({"username": "kim", "password": "kimlee.example", "email": "kim.lee@example.com"});
    assert_eq!(
        register(&app, body).await,
        json!({"password": ["The password is too similar to the email address."]})
    );
    assert_eq!(
        app.register("amy", "tulip-marble-47").await.status(),
        StatusCode::CREATED
    );
}

async fn a_new_password_is_checked_like_a_first_one(app: TestApp) {
    let user = app.user("norma").await;
    for (new, message) in [
        ("qwertyuiop", "This password is too common."),
        ("norma2024", "The password is too similar to the username."),
    ] {
        let body = json!({"old_password": PASSWORD, "new_password": new});
        let refused = json_of(
            app.post("/api/users/me/password/", Some(&user.access), body)
                .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(refused, json!({"new_password": [message]}));
    }
}

async fn usernames_that_look_alike_are_one_name(app: TestApp) {
    assert_eq!(
        app.register("admin", PASSWORD).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        app.register("paypal", PASSWORD).await.status(),
        StatusCode::CREATED
    );
    // A Cyrillic а, capitals, the digit one for an l, a fullwidth a.
    for name in ["\u{0430}dmin", "ADMIN", "paypa1", "\u{FF41}dmin"] {
        let refused = register(&app, json!({"username": name, "password": PASSWORD})).await;
        let message = refused["username"][0].as_str().unwrap();
        assert!(message.contains("already exists"), "{name}: {message}");
    }
    assert_eq!(
        app.register("administrator", PASSWORD).await.status(),
        StatusCode::CREATED
    );
    // Nobody can log in as admin with a look-alike name either.
    assert_eq!(
        app.login("\u{0430}dmin", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

crate::backend_tests!(
    common_numeric_and_similar_passwords_are_refused,
    a_new_password_is_checked_like_a_first_one,
    usernames_that_look_alike_are_one_name,
);

/// Accounts from before skeletons existed may already look alike: migrating must not fail,
/// both keep working, and the newer one is the one that reserves nothing.
async fn existing_look_alike_accounts_survive_the_migration(backend: Backend) {
    let db = tokio::task::spawn_blocking(move || {
        let db = TestDb::new(backend);
        db_pool(&db.url).migrate().expect("migrate");
        let older = create_staff(&db.url, "oscar");
        // As a database from before the skeleton column: no skeletons at all.
        execute_sql(&db.url, "UPDATE users SET username_skeleton = NULL").unwrap();
        let newer = create_staff(&db.url, "0scar");
        execute_sql(&db.url, "UPDATE users SET username_skeleton = NULL").unwrap();
        (db, older, newer)
    })
    .await
    .unwrap();
    let (db, older, newer) = db;
    let url = db.url.clone();
    let app = TestApp::spawn_on(db, |_| {});
    for name in ["oscar", "0scar"] {
        assert_eq!(
            app.login(name, PASSWORD).await.status(),
            StatusCode::OK,
            "{name}"
        );
    }
    let skeletons = tokio::task::spawn_blocking(move || skeletons(&url))
        .await
        .unwrap();
    assert_eq!(
        skeletons,
        [(older, Some("oscar".to_owned())), (newer, None)]
    );
    let refused = register(
        &app,
        json!({"username": "\u{043E}scar", "password": PASSWORD}),
    )
    .await;
    assert!(refused["username"].is_array());
}

/// Every account's id and skeleton, oldest first (blocking).
fn skeletons(url: &str) -> Vec<(i64, Option<String>)> {
    use api::db::schema::users::dsl::*;
    use diesel::prelude::*;
    let mut conn = db_pool(url).get().expect("a connection");
    api::with_conn!(&mut conn, |c| users
        .order(id)
        .select((id, username_skeleton))
        .load(c))
    .expect("skeletons")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_look_alike_accounts_survive_the_migration_on_sqlite() {
    existing_look_alike_accounts_survive_the_migration(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_look_alike_accounts_survive_the_migration_on_postgres() {
    existing_look_alike_accounts_survive_the_migration(Backend::Postgres).await;
}
