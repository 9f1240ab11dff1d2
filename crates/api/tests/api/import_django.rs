//! `api import-django` as an operator runs it: the real binary against a Django database the
//! test makes (PostgreSQL, SQLite, or a dumpdata file), then the imported users through HTTP.

use std::process::Output;

use diesel::sql_types::{BigInt, Bool, Text};
use diesel::{QueryableByName, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::django::{self, stored_password_hash, DjangoDb, DjangoUser};
use crate::helpers::{db_pool, json_of, Backend, TestApp, PASSWORD};

const ALICE: &str = "alice-old-pass";
const BOB: &str = "bob-old-pass";
const CAROL: &str = "carol-old-pass";

/// The installation every source holds: four kinds of password, holdings whose decimals are
/// written as integers, reals and long text, a scored past week and a week still to come
/// (its option with Django's model defaults), and picks in both.
fn fill(db: &DjangoDb) {
    db.user(&DjangoUser {
        email: "alice@example.com",
        ..DjangoUser::new(
            1,
            "alice",
            django::pbkdf2_sha256(ALICE, "80ScKSrWIQra", 390_000),
        )
    });
    db.user(&DjangoUser::new(
        2,
        "bob",
        django::pbkdf2_sha1(BOB, "hOvrdtgcN5KH", 10_000),
    ));
    db.user(&DjangoUser {
        staff: true,
        superuser: true,
        joined: "2020-01-02 03:04:05",
        ..DjangoUser::new(3, "carol", django::argon2(CAROL))
    });
    db.user(&DjangoUser::new(4, "dave", django::UNUSABLE.into()));
    db.user(&DjangoUser {
        active: false,
        ..DjangoUser::new(
            5,
            "erin",
            django::pbkdf2_sha256(ALICE, "Zq1vW8xPd3kL", 20_000),
        )
    });
    db.execute(
        "INSERT INTO portfolio_asset (id, ticker, shares, costbasis, buy, user_id) VALUES
            (10, 'AAPL', 10, 150.25, '2023-05-01', 1),
            (11, 'VTI', 2.5, 200, '2023-06-01', 1),
            (12, 'BRK', '12345678901234.56789', 99999999.99, '2023-06-02', 3),
            (13, 'VTI', 2.5, 200, '2023-06-01', 1);
         INSERT INTO wallstreet_option (id, ticker, sunday, \"startPrice\", \"endPrice\", \"percentChange\", rank) VALUES
            (1, 'SPY', '2024-01-07', 471.25, 480.00, 1.86, 1),
            (2, 'QQQ', '2024-01-07', 402.10, 401.00, -0.27, 2),
            (3, 'VTI', '2030-01-06', 1, 2, 0, 0);
         INSERT INTO wallstreet_selection (id, option_id, user_id) VALUES (1, 1, 1), (2, 2, 2), (3, 3, 1);",
    );
}

/// The same installation as `manage.py dumpdata auth.user portfolio wallstreet` writes it.
fn dump() -> Value {
    let user = |pk: i64, username: &str, password: String, fields: Value| {
        let mut entry = json!({"model": "auth.user", "pk": pk, "fields": {
            "password": password, "last_login": null, "is_superuser": false,
            "username": username, "first_name": "", "last_name": "", "email": "",
            "is_staff": false, "is_active": true, "date_joined": "2021-03-04T05:06:07.123Z",
            "groups": [], "user_permissions": []}});
        for (key, value) in fields.as_object().unwrap() {
            entry["fields"][key] = value.clone();
        }
        entry
    };
    let asset = |pk: i64, ticker: &str, shares: &str, costbasis: &str, buy: &str, owner: Value| {
        json!({"model": "portfolio.asset", "pk": pk, "fields": {
            "ticker": ticker, "shares": shares, "costbasis": costbasis, "buy": buy, "user": owner}})
    };
    let option = |pk: i64, ticker: &str, sunday: &str, prices: [&str; 3], rank: i64| {
        json!({"model": "wallstreet.option", "pk": pk, "fields": {
            "ticker": ticker, "sunday": sunday, "startPrice": prices[0], "endPrice": prices[1],
            "percentChange": prices[2], "rank": rank}})
    };
    let pick = |pk: i64, option: i64, owner: i64| json!({"model": "wallstreet.selection", "pk": pk, "fields": {"option": option, "user": owner}});
    json!([
        {"model": "contenttypes.contenttype", "pk": 1, "fields": {"app_label": "auth", "model": "user"}},
        user(1, "alice", django::pbkdf2_sha256(ALICE, "80ScKSrWIQra", 390_000),
            json!({"email": "alice@example.com"})),
        user(2, "bob", django::pbkdf2_sha1(BOB, "hOvrdtgcN5KH", 10_000), json!({})),
        user(3, "carol", django::argon2(CAROL), json!({"is_staff": true, "is_superuser": true,
            "date_joined": "2020-01-02T03:04:05Z"})),
        user(4, "dave", django::UNUSABLE.into(), json!({})),
        user(5, "erin", django::pbkdf2_sha256(ALICE, "Zq1vW8xPd3kL", 20_000),
            json!({"is_active": false})),
        asset(10, "AAPL", "10.00000", "150.25", "2023-05-01", json!(1)),
        // --natural-foreign writes the owner as its username.
        asset(11, "VTI", "2.50000", "200.00", "2023-06-01", json!(["alice"])),
        asset(12, "BRK", "12345678901234.56789", "99999999.99", "2023-06-02", json!(3)),
        asset(13, "VTI", "2.50000", "200.00", "2023-06-01", json!(1)),
        option(1, "SPY", "2024-01-07", ["471.25", "480.00", "1.86"], 1),
        option(2, "QQQ", "2024-01-07", ["402.10", "401.00", "-0.27"], 2),
        option(3, "VTI", "2030-01-06", ["1.00", "2.00", "0.00"], 0),
        pick(1, 1, 1),
        pick(2, 2, 2),
        pick(3, 3, 1),
    ])
}

/// Runs the import against the app's database and returns its output.
async fn import(app: &TestApp, source: &str, flags: &[&str]) -> Output {
    let (url, source) = (app.database_url().to_owned(), source.to_owned());
    let flags: Vec<String> = flags.iter().map(|f| (*f).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        django::import(&url, &source, &flags)
    })
    .await
    .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The report's stdout, after checking the import succeeded.
fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "import failed:\n{}\n{}",
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout(output)
}

fn counts(report: &str, table: &str, read: usize, imported: usize, present: usize, invalid: usize) {
    let line = format!(
        "{table}: read {read}, imported {imported}, already present {present}, invalid {invalid}"
    );
    assert!(report.contains(&line), "no {line:?} in:\n{report}");
}

async fn login(app: &TestApp, username: &str, password: &str) -> String {
    let tokens = json_of(app.login(username, password).await, StatusCode::OK).await;
    tokens["access"].as_str().unwrap().to_owned()
}

async fn hash_of(app: &TestApp, username: &str) -> String {
    let (url, username) = (app.database_url().to_owned(), username.to_owned());
    tokio::task::spawn_blocking(move || stored_password_hash(&url, &username))
        .await
        .unwrap()
}

#[derive(QueryableByName, Debug, PartialEq)]
struct AccountRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Bool)]
    is_staff: bool,
    #[diesel(sql_type = Bool)]
    is_superuser: bool,
    #[diesel(sql_type = Bool)]
    is_active: bool,
    #[diesel(sql_type = Text)]
    date_joined: String,
}

/// Every account as stored (blocking), joined dates as `YYYY-MM-DD HH:MM:SS`.
async fn accounts(app: &TestApp) -> Vec<(String, AccountRow)> {
    #[derive(QueryableByName)]
    struct Named {
        #[diesel(sql_type = Text)]
        username: String,
        #[diesel(embed)]
        row: AccountRow,
    }
    let url = app.database_url().to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = db_pool(&url).get().unwrap();
        let sql = "SELECT id, username, email, is_staff, is_superuser, is_active, \
                   SUBSTR(CAST(date_joined AS TEXT), 1, 19) AS date_joined FROM users ORDER BY id";
        let rows: Vec<Named> =
            api::with_conn!(&mut conn, |c| diesel::sql_query(sql).load(c)).unwrap();
        rows.into_iter().map(|n| (n.username, n.row)).collect()
    })
    .await
    .unwrap()
}

async fn holdings(app: &TestApp, access: &str) -> Vec<Value> {
    let body = json_of(app.get("/api/assets/", Some(access)).await, StatusCode::OK).await;
    body.as_array().unwrap().clone()
}

/// SQLite keeps a decimal in a NUMERIC column as a float when one holds it to 15 significant
/// digits, so that is what a Django SQLite database has of `12345678901234.56789` (and what
/// Django itself shows of it); PostgreSQL and dumps have every digit.
const BRK_SHARES: &str = "12345678901234.56789";
const BRK_SHARES_FROM_SQLITE: &str = "12345678901234.60000";

/// What every source must give: the accounts with their flags, exact holdings, the old
/// passwords working once and then upgraded, wrong ones refused, and the game history.
async fn the_installation_moved_in(app: &TestApp, brk_shares: &str) {
    let stored = accounts(app).await;
    let names: Vec<&str> = stored.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["alice", "bob", "carol", "dave", "erin"]);
    let (_, carol) = &stored[2];
    assert_eq!(
        (
            carol.id,
            carol.is_staff,
            carol.is_superuser,
            carol.is_active
        ),
        (3, true, true, true)
    );
    assert_eq!(carol.date_joined, "2020-01-02 03:04:05");
    let (_, alice) = &stored[0];
    assert_eq!(alice.email, "alice@example.com");
    assert_eq!(alice.date_joined, "2021-03-04 05:06:07");
    assert!(!stored[4].1.is_active, "erin stays inactive");

    let before = hash_of(app, "alice").await;
    assert!(before.starts_with("pbkdf2_sha256$390000$"), "{before}");
    let access = login(app, "alice", ALICE).await;
    let upgraded = hash_of(app, "alice").await;
    assert!(upgraded.starts_with("$argon2id$"), "{upgraded}");
    let mine = holdings(app, &access).await;
    let fields: Vec<Value> = mine
        .iter()
        .map(|h| {
            json!([
                h["id"],
                h["ticker"],
                h["shares"],
                h["costbasis"],
                h["buy"],
                h["user"]
            ])
        })
        .collect();
    assert_eq!(
        fields,
        [
            json!([10, "AAPL", "10.00000", "150.25", "2023-05-01", 1]),
            json!([11, "VTI", "2.50000", "200.00", "2023-06-01", 1]),
            json!([13, "VTI", "2.50000", "200.00", "2023-06-01", 1]),
        ]
    );
    let carols = holdings(app, &login(app, "carol", CAROL).await).await;
    assert_eq!(carols[0]["shares"], brk_shares);
    assert_eq!(carols[0]["costbasis"], "99999999.99");
    login(app, "bob", BOB).await;
    login(app, "alice", ALICE).await;
    assert_eq!(hash_of(app, "alice").await, upgraded, "upgraded once");
    for (username, password) in [
        ("alice", BOB),
        ("alice", PASSWORD),
        ("dave", ""),
        ("dave", django::UNUSABLE),
        ("erin", ALICE),
    ] {
        let refused = app.login(username, password).await;
        assert_eq!(
            refused.status(),
            StatusCode::UNAUTHORIZED,
            "{username} {password:?}"
        );
    }

    let scored = json_of(
        app.get("/api/wallstreet/weeks/2024-01-07/", None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(scored["closed"], true);
    let options: Vec<Value> = scored["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            json!([
                o["id"],
                o["ticker"],
                o["start_price"],
                o["end_price"],
                o["percent_change"],
                o["rank"]
            ])
        })
        .collect();
    assert_eq!(
        options,
        [
            json!([1, "SPY", "471.2500", "480.0000", "1.86", 1]),
            json!([2, "QQQ", "402.1000", "401.0000", "-0.27", 2]),
        ]
    );
    let board = json_of(
        app.get("/api/wallstreet/leaderboard/?sunday=2024-01-07", None)
            .await,
        StatusCode::OK,
    )
    .await;
    let ranking: Vec<Value> = board["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!([r["rank"], r["username"], r["score"]]))
        .collect();
    assert_eq!(
        ranking,
        [json!([1, "alice", "1.86"]), json!([2, "bob", "-0.27"])]
    );

    let coming = json_of(
        app.get("/api/wallstreet/weeks/2030-01-06/", None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (&coming["picks_open"], &coming["closed"]),
        (&json!(true), &json!(false))
    );
    let option = &coming["options"][0];
    assert_eq!(option["ticker"], "VTI");
    assert!(
        option["start_price"].is_null(),
        "Django's default 1.00 is no price: {option}"
    );
    assert!(option["percent_change"].is_null() && option["rank"].is_null());
    let picks = json_of(
        app.get(
            "/api/wallstreet/selections/?sunday=2030-01-06",
            Some(&access),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(picks[0]["ticker"], "VTI");
    assert_eq!(picks[0]["id"], 3);
}

async fn a_postgres_django_database_moves_in_with_its_passwords(app: TestApp) {
    let source = tokio::task::spawn_blocking(|| {
        let db = DjangoDb::create(Backend::Postgres, true);
        fill(&db);
        db
    })
    .await
    .unwrap();
    let report = succeeded(&import(&app, &source.source, &[]).await);
    counts(&report, "auth_user", 5, 5, 0, 0);
    counts(&report, "portfolio_asset", 4, 4, 0, 0);
    counts(&report, "wallstreet_option", 3, 3, 0, 0);
    counts(&report, "wallstreet_selection", 3, 3, 0, 0);
    assert!(report.contains("Weeks added: 1 over"), "{report}");
    assert!(
        report.contains("15 rows kept their Django id, 0 got a new one"),
        "{report}"
    );
    the_installation_moved_in(&app, BRK_SHARES).await;

    let again = succeeded(&import(&app, &source.source, &[]).await);
    counts(&again, "auth_user", 5, 0, 5, 0);
    counts(&again, "portfolio_asset", 4, 0, 4, 0);
    counts(&again, "wallstreet_option", 3, 0, 3, 0);
    counts(&again, "wallstreet_selection", 3, 0, 3, 0);

    // Ids made after the import start past the imported ones.
    let access = login(&app, "bob", BOB).await;
    let created = json_of(
        app.post(
            "/api/assets/",
            Some(&access),
            json!({"ticker": "MSFT", "shares": "1", "costbasis": "1", "buy": "2024-01-02"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["id"], 14);
    let registered = json_of(
        app.register("newcomer", PASSWORD).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(registered["id"], 6);
}

/// SQLite's NUMERIC affinity keeps `10` as an integer and `2.5` as a real, as Django's SQLite
/// databases hold them.
async fn a_sqlite_django_database_with_integer_and_real_decimals_moves_in_exactly(app: TestApp) {
    let source = tokio::task::spawn_blocking(|| {
        let db = DjangoDb::create(Backend::Sqlite, true);
        fill(&db);
        db
    })
    .await
    .unwrap();
    let path = source.source.trim_start_matches("sqlite://").to_owned();
    let stored = tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        #[derive(QueryableByName)]
        struct Kinds {
            #[diesel(sql_type = Text)]
            kinds: String,
        }
        let mut conn = diesel::SqliteConnection::establish(&path).unwrap();
        let found: Kinds = diesel::sql_query(
            "SELECT group_concat(typeof(shares) || '/' || typeof(costbasis), ' ') AS kinds \
             FROM (SELECT shares, costbasis FROM portfolio_asset ORDER BY id)",
        )
        .get_result(&mut conn)
        .unwrap();
        found.kinds
    })
    .await
    .unwrap();
    assert_eq!(stored, "integer/real real/integer real/real real/integer");

    let report = succeeded(&import(&app, &source.source, &[]).await);
    counts(&report, "portfolio_asset", 4, 4, 0, 0);
    the_installation_moved_in(&app, BRK_SHARES_FROM_SQLITE).await;
    let again = succeeded(&import(&app, &source.source, &[]).await);
    counts(&again, "portfolio_asset", 4, 0, 4, 0);
}

async fn a_dumpdata_file_moves_in_like_a_database(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dump.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&dump()).unwrap()).unwrap();
    let file = file.to_str().unwrap();
    let report = succeeded(&import(&app, file, &[]).await);
    counts(&report, "auth_user", 5, 5, 0, 0);
    counts(&report, "wallstreet_selection", 3, 3, 0, 0);
    the_installation_moved_in(&app, BRK_SHARES).await;
    let again = succeeded(&import(&app, file, &[]).await);
    counts(&again, "auth_user", 5, 0, 5, 0);
    counts(&again, "portfolio_asset", 4, 0, 4, 0);
}

async fn a_dry_run_reports_and_writes_nothing(app: TestApp) {
    let source = tokio::task::spawn_blocking(|| {
        let db = DjangoDb::create(Backend::Sqlite, true);
        fill(&db);
        db
    })
    .await
    .unwrap();
    let report = succeeded(&import(&app, &source.source, &["--dry-run"]).await);
    counts(&report, "auth_user", 5, 5, 0, 0);
    counts(&report, "portfolio_asset", 4, 4, 0, 0);
    assert!(report.contains("Dry run: nothing was written."), "{report}");
    assert!(accounts(&app).await.is_empty());
    assert_eq!(
        app.login("alice", ALICE).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let options = json_of(
        app.get("/api/wallstreet/options/?sunday=2024-01-07", None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(options, json!([]));
    // And the real import after it still gets the Django ids.
    succeeded(&import(&app, &source.source, &[]).await);
    the_installation_moved_in(&app, BRK_SHARES_FROM_SQLITE).await;
}

/// A source with rows that break our rules, next to good ones.
fn fill_with_invalid_rows(db: &DjangoDb) {
    db.user(&DjangoUser::new(
        1,
        "alice",
        django::pbkdf2_sha256(ALICE, "80ScKSrWIQra", 20_000),
    ));
    db.user(&DjangoUser::new(
        2,
        "mallory",
        "md5$salt$0cc175b9c0f1b6a831c399e269772661".into(),
    ));
    db.user(&DjangoUser::new(
        3,
        "Alice",
        django::pbkdf2_sha256(BOB, "Zq1vW8xPd3kL", 20_000),
    ));
    // With a Cyrillic а: Django takes it, but here it is alice's name.
    db.user(&DjangoUser::new(
        4,
        "\u{430}lice",
        django::pbkdf2_sha256(BOB, "Zq1vW8xPd3kL", 20_000),
    ));
    db.execute(
        "INSERT INTO portfolio_asset (id, ticker, shares, costbasis, buy, user_id) VALUES
            (20, 'AAPL', 1, 10, '2023-05-01', 1),
            (21, 'BRK/B', 1, 10, '2023-05-01', 1),
            (22, 'MSFT', 1, 10, '2999-01-01', 1),
            (23, 'SPY', 1, 10, '2023-05-01', 2);
         INSERT INTO wallstreet_option (id, ticker, sunday, \"startPrice\", \"endPrice\", \"percentChange\", rank) VALUES
            (1, 'SPY', '2024-01-07', 471.25, 480.00, 1.86, 1),
            (2, 'QQQ', '2024-01-07', 402.10, 401.00, -0.27, 2),
            (3, 'VTI', '2024-01-07', 237.50, 235.10, -1.01, 3),
            (4, 'IWM', '2024-01-07', 190.00, 200.00, 5.26, 4),
            (5, 'TOOLONGTICKER', '2024-01-07', 1.50, 1.60, 6.67, 5);
         INSERT INTO wallstreet_selection (id, option_id, user_id) VALUES
            (1, 1, 1), (2, 2, 1), (3, 3, 1), (4, 4, 1), (5, 5, 1);",
    );
}

async fn an_invalid_row_stops_the_import_unless_skipped(app: TestApp) {
    let source = tokio::task::spawn_blocking(|| {
        let db = DjangoDb::create(Backend::Postgres, true);
        fill_with_invalid_rows(&db);
        db
    })
    .await
    .unwrap();
    let expected = [
        "auth_user 2: password: password hashes of the kind \"md5\" are not supported",
        "auth_user 3: username \"Alice\": the same as user 1's, ignoring case",
        "auth_user 4: username \"\u{430}lice\": looks the same as \"alice\", taken already",
        "portfolio_asset 21: ticker \"BRK/B\": A ticker is 1 to 10 letters or digits, optionally followed by a dot and a share class or an exchange (BRK.B, VOD.L, SAP.DE).",
        "portfolio_asset 22: buy \"2999-01-01\": The buy date cannot be in the future.",
        "portfolio_asset 23: user_id 2: that user is not imported",
        "wallstreet_option 5: ticker \"TOOLONGTICKER\": A ticker is 1 to 10 letters or digits, optionally followed by a dot and a share class or an exchange (BRK.B, VOD.L, SAP.DE).",
        "wallstreet_selection 4: user 1 has 3 picks in the week of 2024-01-07 already",
        "wallstreet_selection 5: option_id 5: that option is not imported",
    ];
    let stopped = import(&app, &source.source, &[]).await;
    assert!(!stopped.status.success(), "{}", stdout(&stopped));
    let report = stdout(&stopped);
    for line in expected {
        assert!(report.contains(line), "no {line:?} in:\n{report}");
    }
    counts(&report, "portfolio_asset", 4, 1, 0, 3);
    assert!(report.contains("Nothing was imported"), "{report}");
    assert!(
        String::from_utf8_lossy(&stopped.stderr).contains("9 invalid rows"),
        "{}",
        String::from_utf8_lossy(&stopped.stderr)
    );
    assert!(accounts(&app).await.is_empty(), "nothing was written");

    let skipped = succeeded(&import(&app, &source.source, &["--skip-invalid"]).await);
    for line in expected {
        assert!(skipped.contains(line), "no {line:?} in:\n{skipped}");
    }
    counts(&skipped, "auth_user", 4, 1, 0, 3);
    counts(&skipped, "wallstreet_selection", 5, 3, 0, 2);
    let access = login(&app, "alice", ALICE).await;
    let tickers: Vec<Value> = holdings(&app, &access)
        .await
        .iter()
        .map(|h| h["ticker"].clone())
        .collect();
    assert_eq!(tickers, [json!("AAPL")]);
    let picks = json_of(
        app.get(
            "/api/wallstreet/selections/?sunday=2024-01-07",
            Some(&access),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(picks.as_array().unwrap().len(), 3);
    assert_eq!(
        app.login("mallory", "a").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn missing_game_tables_are_reported_not_an_error(app: TestApp) {
    let source = tokio::task::spawn_blocking(|| {
        let db = DjangoDb::create(Backend::Sqlite, false);
        db.user(&DjangoUser::new(
            1,
            "alice",
            django::pbkdf2_sha256(ALICE, "80ScKSrWIQra", 20_000),
        ));
        db.execute(
            "INSERT INTO portfolio_asset (id, ticker, shares, costbasis, buy, user_id) \
             VALUES (1, 'AAPL', 1, 10, '2023-05-01', 1)",
        );
        db
    })
    .await
    .unwrap();
    let report = succeeded(&import(&app, &source.source, &[]).await);
    assert!(
        report.contains("Not in the source: wallstreet_option, wallstreet_selection"),
        "{report}"
    );
    counts(&report, "wallstreet_option", 0, 0, 0, 0);
    counts(&report, "portfolio_asset", 1, 1, 0, 0);
    let access = login(&app, "alice", ALICE).await;
    assert_eq!(holdings(&app, &access).await.len(), 1);
}

/// An account registered here before the import keeps its name and id; a Django account of
/// the same name is not merged into it, and Django ids taken here get new ones.
async fn accounts_made_here_are_never_taken_for_django_ones(app: TestApp) {
    app.user("zed").await;
    app.user("Carol").await;
    let source = tokio::task::spawn_blocking(|| {
        let db = DjangoDb::create(Backend::Sqlite, true);
        fill(&db);
        db
    })
    .await
    .unwrap();
    let stopped = import(&app, &source.source, &[]).await;
    assert!(!stopped.status.success());
    assert!(
        stdout(&stopped).contains(
            "auth_user 3: username \"carol\": taken here by an account that was not imported"
        ),
        "{}",
        stdout(&stopped)
    );
    let report = succeeded(&import(&app, &source.source, &["--skip-invalid"]).await);
    assert!(report.contains("auth_user 1 -> 6"), "{report}");
    assert!(report.contains("auth_user 2 -> 7"), "{report}");
    counts(&report, "portfolio_asset", 4, 3, 0, 1);
    let access = login(&app, "alice", ALICE).await;
    let mine = holdings(&app, &access).await;
    assert_eq!(mine.len(), 3);
    assert!(mine.iter().all(|h| h["user"] == 6), "{mine:?}");
    let carol_here = login(&app, "carol", PASSWORD).await;
    assert!(holdings(&app, &carol_here).await.is_empty());
    let again = succeeded(&import(&app, &source.source, &["--skip-invalid"]).await);
    counts(&again, "auth_user", 5, 0, 4, 1);
    counts(&again, "portfolio_asset", 4, 0, 3, 1);
}

/// The app's later schema (`tests/fixtures/django-later/`: the ticker in its own table, costs
/// and sales as totals): sold positions become SELLs, a rebuy is a BUY of its own, and a second
/// run adds nothing.
async fn a_later_django_database_with_sales_moves_in_as_a_ledger(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("later.sqlite3");
    let dump = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/django-later/dump.sql"),
    )
    .unwrap();
    {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut conn = diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        conn.batch_execute(&dump).unwrap();
    }
    let source = format!("sqlite://{}", path.display());
    let report = succeeded(&import(&app, &source, &[]).await);
    counts(&report, "auth_user", 2, 2, 0, 0);
    counts(&report, "portfolio_asset", 4, 4, 0, 0);

    let alice = login(&app, "alice", "alice-old-pass").await;
    let ledger = json_of(
        app.get("/api/transactions/", Some(&alice)).await,
        StatusCode::OK,
    )
    .await;
    let seen: Vec<(String, String, String, String, String)> = ledger
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let text = |name: &str| t[name].as_str().unwrap().to_owned();
            (
                text("type"),
                text("ticker"),
                text("date"),
                text("quantity"),
                text("price"),
            )
        })
        .collect();
    let want = [
        ("BUY", "AAPL", "2022-06-15", "10", "135.43"),
        ("BUY", "VTI", "2022-10-12", "8", "175.42"),
        ("SELL", "VTI", "2023-08-15", "8", "216.53"),
        ("BUY", "VTI", "2024-03-05", "6", "250.61"),
    ]
    .map(|(a, b, c, d, e)| (a.into(), b.into(), c.into(), d.into(), e.into()));
    assert_eq!(seen, want);
    assert!(ledger.as_array().unwrap().iter().all(|t| t["fee"] == "0"));
    let realized = json_of(
        app.get("/api/portfolio/realized/", Some(&alice)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(realized["totals"]["gain"], "328.88", "1732.24 - 1403.36");
    assert_eq!(realized["lots"][0]["term"], "short");
    let positions = json_of(
        app.get("/api/portfolio/positions/", Some(&alice)).await,
        StatusCode::OK,
    )
    .await;
    let quantities: Vec<(&str, &str)> = positions["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["ticker"].as_str().unwrap(),
                p["quantity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(quantities, [("AAPL", "10"), ("VTI", "6")]);

    let bob = login(&app, "bob", "bob-old-pass").await;
    let theirs = holdings(&app, &bob).await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["shares"], "2.75000");
    assert_eq!(theirs[0]["costbasis"], "377.44");

    let again = succeeded(&import(&app, &source, &[]).await);
    counts(&again, "portfolio_asset", 4, 0, 4, 0);
    let unchanged = json_of(
        app.get("/api/transactions/", Some(&alice)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(unchanged, ledger);
}

crate::backend_tests!(
    a_later_django_database_with_sales_moves_in_as_a_ledger,
    a_postgres_django_database_moves_in_with_its_passwords,
    a_sqlite_django_database_with_integer_and_real_decimals_moves_in_exactly,
    a_dumpdata_file_moves_in_like_a_database,
    a_dry_run_reports_and_writes_nothing,
    an_invalid_row_stops_the_import_unless_skipped,
    missing_game_tables_are_reported_not_an_error,
    accounts_made_here_are_never_taken_for_django_ones,
);
