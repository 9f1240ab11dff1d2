//! The ledger through HTTP on both databases: accounts, transactions and their refusals,
//! ownership, the holdings view the old clients see, and the reports (positions, realized
//! lots, performance) against `../shared/ledger-example.md`, worked by hand.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::history::FakeHistory;
use crate::helpers::{json_of, keyless_app, Backend, TestApp, TestUser};

async fn accounts(app: &TestApp, user: &TestUser) -> Value {
    json_of(
        app.get("/api/accounts/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await
}

async fn main_account(app: &TestApp, user: &TestUser) -> i64 {
    accounts(app, user).await[0]["id"].as_i64().unwrap()
}

async fn record(app: &TestApp, user: &TestUser, body: Value) -> Value {
    json_of(
        app.post("/api/transactions/", Some(&user.access), body)
            .await,
        StatusCode::CREATED,
    )
    .await
}

async fn refused(app: &TestApp, user: &TestUser, body: Value) -> Value {
    json_of(
        app.post("/api/transactions/", Some(&user.access), body)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await
}

async fn transactions(app: &TestApp, user: &TestUser, query: &str) -> Vec<Value> {
    let body = json_of(
        app.get(&format!("/api/transactions/{query}"), Some(&user.access))
            .await,
        StatusCode::OK,
    )
    .await;
    body.as_array().unwrap().clone()
}

async fn a_new_user_has_one_account_and_can_keep_several(app: TestApp) {
    let user = app.user("ana").await;
    let listed = accounts(&app, &user).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["name"], "Main");
    assert_eq!(listed[0]["currency"], "USD");

    let ira = json_of(
        app.post(
            "/api/accounts/",
            Some(&user.access),
            json!({"name": " Roth IRA ", "currency": "usd"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(ira["name"], "Roth IRA");
    assert_eq!(ira["currency"], "USD");
    let taken = json_of(
        app.post(
            "/api/accounts/",
            Some(&user.access),
            json!({"name": "Main"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(taken["name"][0].is_string(), "{taken}");
    let bad = json_of(
        app.post(
            "/api/accounts/",
            Some(&user.access),
            json!({"name": "", "currency": "DOLLARS"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        bad["name"][0].is_string() && bad["currency"][0].is_string(),
        "{bad}"
    );

    let path = format!("/api/accounts/{}/", ira["id"]);
    let renamed = json_of(
        app.patch(&path, Some(&user.access), json!({"name": "IRA"}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(renamed["name"], "IRA");
    let currency = json_of(
        app.patch(&path, Some(&user.access), json!({"currency": "EUR"}))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(currency["currency"][0].is_string(), "{currency}");

    record(
        &app,
        &user,
        json!({"account": ira["id"], "type": "BUY", "ticker": "VTI", "date": "2024-01-02", "quantity": "1", "price": "200"}),
    )
    .await;
    let busy = json_of(
        app.delete(&path, Some(&user.access)).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(busy["code"], "not_empty");

    let main = main_account(&app, &user).await;
    assert_eq!(
        app.delete(&format!("/api/accounts/{main}/"), Some(&user.access))
            .await
            .status(),
        StatusCode::NO_CONTENT,
        "an empty account goes"
    );
    let last = json_of(
        app.delete(&path, Some(&user.access)).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(last["code"], "not_empty");
    let id = transactions(&app, &user, "").await[0]["id"].clone();
    assert_eq!(
        app.delete(&format!("/api/transactions/{id}/"), Some(&user.access))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let last = json_of(
        app.delete(&path, Some(&user.access)).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(last["code"], "last_account", "one account always stays");
}

async fn transactions_are_exact_and_typed(app: TestApp) {
    let user = app.user("ben").await;
    let main = main_account(&app, &user).await;
    let buy = record(
        &app,
        &user,
        json!({"type": "buy", "ticker": "xyz", "date": "2024-01-02", "quantity": "10.12345678", "price": 50.5, "fee": "2.00", "note": "first"}),
    )
    .await;
    assert_eq!(
        buy,
        json!({
            "id": buy["id"], "account": main, "type": "BUY", "ticker": "XYZ", "date": "2024-01-02",
            "quantity": "10.12345678", "price": "50.5", "fee": "2", "amount": null, "ratio": null,
            "currency": "USD", "note": "first",
        })
    );
    let split = record(
        &app,
        &user,
        json!({"type": "SPLIT", "ticker": "XYZ", "date": "2024-02-01", "ratio": "0.1", "quantity": null}),
    )
    .await;
    assert_eq!(split["ratio"], "0.1");
    assert_eq!(split["quantity"], Value::Null);
    assert_eq!(split["fee"], Value::Null);
    let dividend = record(
        &app,
        &user,
        json!({"type": "DIVIDEND", "ticker": "XYZ", "date": "2024-03-01", "amount": "1.20"}),
    )
    .await;
    assert_eq!(dividend["amount"], "1.2");
    assert_eq!(
        json_of(
            app.get(
                &format!("/api/transactions/{}/", buy["id"]),
                Some(&user.access)
            )
            .await,
            StatusCode::OK
        )
        .await,
        buy
    );

    let dividends = transactions(&app, &user, "?type=dividend&ticker=xyz").await;
    assert_eq!(dividends.len(), 1);
    assert_eq!(dividends[0]["id"], dividend["id"]);
    let february = transactions(&app, &user, "?from=2024-02-01&to=2024-02-29").await;
    assert_eq!(february.len(), 1);
    assert_eq!(february[0]["type"], "SPLIT");
    assert_eq!(
        transactions(&app, &user, &format!("?account={main}"))
            .await
            .len(),
        3
    );
    let bad = json_of(
        app.get(
            "/api/transactions/?type=GIFT&from=yesterday",
            Some(&user.access),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        bad["type"][0].is_string() || bad["from"][0].is_string(),
        "{bad}"
    );

    // A PATCH changes what it names; a new type drops the old type's fields and needs its own.
    let path = format!("/api/transactions/{}/", dividend["id"]);
    let changed = json_of(
        app.patch(
            &path,
            Some(&user.access),
            json!({"amount": "2.5", "note": null}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (changed["amount"].as_str(), changed["note"].as_str()),
        (Some("2.5"), None)
    );
    let incomplete = json_of(
        app.patch(&path, Some(&user.access), json!({"type": "BUY"}))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        incomplete["quantity"][0].is_string() && incomplete["price"][0].is_string(),
        "{incomplete}"
    );
    let now_a_buy = json_of(
        app.patch(
            &path,
            Some(&user.access),
            json!({"type": "BUY", "quantity": "1", "price": "3"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(now_a_buy["amount"], Value::Null);
    assert_eq!(now_a_buy["fee"], "0");
}

async fn bad_transactions_get_field_errors_and_write_nothing(app: TestApp) {
    let user = app.user("cy").await;
    let other = app.user("dee").await;
    let theirs = main_account(&app, &other).await;
    record(
        &app,
        &user,
        json!({"type": "BUY", "ticker": "AAA", "date": "2024-01-02", "quantity": "5", "price": "10"}),
    )
    .await;
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .date_naive()
        .to_string();
    let cases: Vec<(Value, &[&str])> = vec![
        (
            json!({"type": "GIFT", "ticker": "AAA", "date": "2024-01-02"}),
            &["type"],
        ),
        (json!({"ticker": "AAA", "date": "2024-01-02"}), &["type"]),
        (
            json!({"type": "DIVIDEND", "ticker": "AAA", "date": "2024-01-02", "amount": "1", "ratio": "2"}),
            &["ratio"],
        ),
        (
            json!({"type": "BUY", "ticker": "AAA", "date": "2024-01-02", "quantity": "0", "price": "-1"}),
            &["price", "quantity"],
        ),
        (
            json!({"type": "BUY", "ticker": "AAA", "date": "2024-01-02", "quantity": "1", "price": "1", "fee": "-1"}),
            &["fee"],
        ),
        (
            json!({"type": "DIVIDEND", "ticker": "AAA", "date": "2024-01-02", "amount": "0"}),
            &["amount"],
        ),
        (
            json!({"type": "SPLIT", "ticker": "AAA", "date": "2024-01-02", "ratio": "-2"}),
            &["ratio"],
        ),
        (
            json!({"type": "BUY", "ticker": "AAA", "date": tomorrow, "quantity": "1", "price": "1"}),
            &["date"],
        ),
        (
            json!({"account": theirs, "type": "BUY", "ticker": "AAA", "date": "2024-01-02", "quantity": "1", "price": "1"}),
            &["account"],
        ),
        (
            json!({"type": "BUY", "ticker": "AAA", "date": "2024-01-02", "quantity": "1", "price": "1", "currency": "XYZ"}),
            &["currency"],
        ),
        (
            json!({"type": "SELL", "ticker": "AAA", "date": "2024-01-03", "quantity": "5.00000001", "price": "1"}),
            &["quantity"],
        ),
        (
            json!({"type": "SELL", "ticker": "AAA", "date": "2024-01-01", "quantity": "1", "price": "1"}),
            &["quantity"],
        ),
        (
            json!({"type": "SELL", "ticker": "BBB", "date": "2024-01-03", "quantity": "1", "price": "1"}),
            &["quantity"],
        ),
    ];
    for (body, fields) in cases {
        let errors = refused(&app, &user, body.clone()).await;
        let named: Vec<&String> = errors.as_object().unwrap().keys().collect();
        assert_eq!(named, *fields, "{body} -> {errors}");
    }
    let short = refused(
        &app,
        &user,
        json!({"type": "SELL", "ticker": "AAA", "date": "2024-01-03", "quantity": "6", "price": "1"}),
    )
    .await;
    assert_eq!(
        short["quantity"][0],
        "The sale of 6 AAA on 2024-01-03 would exceed the 5 the account holds then."
    );
    assert_eq!(
        transactions(&app, &user, "").await.len(),
        1,
        "nothing was written"
    );
    assert!(transactions(&app, &other, "").await.is_empty());
}

async fn edits_and_deletions_that_leave_a_later_sale_short_are_refused(app: TestApp) {
    let user = app.user("eve").await;
    let buy = record(
        &app,
        &user,
        json!({"type": "BUY", "ticker": "AAA", "date": "2024-01-02", "quantity": "10", "price": "10"}),
    )
    .await;
    record(
        &app,
        &user,
        json!({"type": "SELL", "ticker": "AAA", "date": "2024-03-01", "quantity": "8", "price": "12"}),
    )
    .await;
    let path = format!("/api/transactions/{}/", buy["id"]);
    for change in [
        json!({"quantity": "7"}),
        json!({"date": "2024-03-02"}),
        json!({"ticker": "BBB"}),
        json!({"type": "DIVIDEND", "amount": "1"}),
    ] {
        let errors = json_of(
            app.patch(&path, Some(&user.access), change.clone()).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(
            errors["quantity"][0]
                .as_str()
                .unwrap()
                .contains("8 AAA on 2024-03-01"),
            "{change}: {errors}"
        );
    }
    let errors = json_of(
        app.delete(&path, Some(&user.access)).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(errors["quantity"][0].is_string(), "{errors}");
    // As the old clients see it: a holding's quantity is its shares.
    let asset_path = format!("/api/assets/{}/", buy["id"]);
    let errors = json_of(
        app.patch(&asset_path, Some(&user.access), json!({"shares": "1"}))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(errors["shares"][0].is_string(), "{errors}");
    let errors = json_of(
        app.delete(&asset_path, Some(&user.access)).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(errors["shares"][0].is_string(), "{errors}");

    let unchanged = transactions(&app, &user, "").await;
    assert_eq!(unchanged[0]["quantity"], "10");
    assert_eq!(unchanged[0]["date"], "2024-01-02");
    let fine = json_of(
        app.patch(&path, Some(&user.access), json!({"quantity": "8"}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(fine["quantity"], "8");
}

async fn another_users_ledger_is_a_404(app: TestApp) {
    let owner = app.user("fay").await;
    let stranger = app.user("gus").await;
    let account = main_account(&app, &owner).await;
    let buy = record(
        &app,
        &owner,
        json!({"type": "BUY", "ticker": "AAA", "date": "2024-01-02", "quantity": "1", "price": "1"}),
    )
    .await;
    let tx = format!("/api/transactions/{}/", buy["id"]);
    let acct = format!("/api/accounts/{account}/");
    let token = Some(stranger.access.as_str());
    assert_eq!(app.get(&tx, token).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch(&tx, token, json!({"quantity": "9"}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.delete(&tx, token).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch(&acct, token, json!({"name": "mine"}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&acct, token).await.status(),
        StatusCode::NOT_FOUND
    );
    for path in [
        format!("/api/transactions/?account={account}"),
        format!("/api/portfolio/positions/?account={account}"),
        format!("/api/portfolio/realized/?account={account}"),
        format!("/api/portfolio/performance/?account={account}"),
    ] {
        assert_eq!(
            app.get(&path, token).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        app.get(&format!("/api/assets/{}/", buy["id"]), token)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let kept = transactions(&app, &owner, "").await;
    assert_eq!(kept[0]["quantity"], "1");
}

async fn the_assets_view_is_the_first_accounts_buys(app: TestApp) {
    let user = app.user("hal").await;
    let asset = json_of(
        app.post(
            "/api/assets/",
            Some(&user.access),
            json!({"ticker": "vti", "shares": "12.345", "costbasis": "210.5", "buy": "2023-06-30"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let listed = transactions(&app, &user, "").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], asset["id"]);
    assert_eq!(listed[0]["type"], "BUY");
    assert_eq!(listed[0]["quantity"], "12.345");
    assert_eq!(listed[0]["price"], "210.5");
    assert_eq!(listed[0]["fee"], "0");

    let ira = json_of(
        app.post("/api/accounts/", Some(&user.access), json!({"name": "IRA"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    record(
        &app,
        &user,
        json!({"account": ira["id"], "type": "BUY", "ticker": "AAA", "date": "2024-01-02", "quantity": "1", "price": "1"}),
    )
    .await;
    record(
        &app,
        &user,
        json!({"type": "SELL", "ticker": "VTI", "date": "2024-01-02", "quantity": "2", "price": "250"}),
    )
    .await;
    let precise = record(
        &app,
        &user,
        json!({"type": "BUY", "ticker": "BBB", "date": "2024-01-03", "quantity": "0.12345678", "price": "1.234567", "fee": "1"}),
    )
    .await;
    let assets = json_of(
        app.get("/api/assets/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        assets,
        json!([
            {"id": asset["id"], "ticker": "VTI", "shares": "12.34500", "costbasis": "210.50", "buy": "2023-06-30", "user": user.id},
            {"id": precise["id"], "ticker": "BBB", "shares": "0.12345678", "costbasis": "1.234567", "buy": "2024-01-03", "user": user.id},
        ]),
        "the first account's BUYs only, in the old shape"
    );
    let django = json_of(
        app.get("/portfolio/api/assets/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(django, assets);
}

/// `../shared/ledger-example.md`'s closes, served as the history provider serves them.
fn example_history() -> FakeHistory {
    FakeHistory::start(&[
        ("XYZ", "2024-01-02", "50.00"),
        ("XYZ", "2024-04-01", "55.00"),
        ("XYZ", "2024-07-01", "58.00"),
        ("XYZ", "2024-10-01", "54.00"),
        ("XYZ", "2024-12-31", "60.00"),
        ("SPY", "2024-01-02", "400.00"),
        ("SPY", "2024-12-31", "480.00"),
    ])
}

async fn example_app(backend: Backend, history: &FakeHistory) -> TestApp {
    keyless_app(backend, history, None, "2025-01-02T22:00:00Z", |_| {}).await
}

async fn the_worked_example_gives_its_numbers(backend: Backend) {
    let history = example_history();
    let app = example_app(backend, &history).await;
    let user = app.user("ivy").await;
    for body in [
        json!({"type": "BUY", "ticker": "XYZ", "date": "2024-01-02", "quantity": "10", "price": "50.00", "fee": "2.00"}),
        json!({"type": "SELL", "ticker": "XYZ", "date": "2024-07-01", "quantity": "4", "price": "58.00", "fee": "1.00"}),
        json!({"type": "DIVIDEND", "ticker": "XYZ", "date": "2024-10-01", "amount": "1.20"}),
    ] {
        record(&app, &user, body).await;
    }
    let positions = json_of(
        app.get("/api/portfolio/positions/", Some(&user.access))
            .await,
        StatusCode::OK,
    )
    .await;
    // Without a Finnhub key the price is the latest close (60 on 31 December).
    assert_eq!(
        positions,
        json!({
            "currency": "USD",
            "positions": [{
                "ticker": "XYZ", "currency": "USD", "quantity": "6", "cost": "301.20",
                "average_cost": "50.2", "price": "60", "price_source": "close",
                "price_as_of": "2024-12-31", "market_value": "360.00", "unrealized_gain": "58.80",
                "realized_gain": "30.20", "dividends": "1.20", "own": null,
                "price_effect": null, "currency_effect": null,
            }],
            "totals": {
                "cost": "301.20", "market_value": "360.00", "unrealized_gain": "58.80",
                "realized_gain": "30.20", "dividends": "1.20", "unpriced": 0,
                "currency_effect": "0.00",
            },
        })
    );
    let realized = json_of(
        app.get("/api/portfolio/realized/?year=2024", Some(&user.access))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        realized,
        json!({
            "currency": "USD",
            "lots": [{
                "ticker": "XYZ", "quantity": "4", "bought": "2024-01-02", "sold": "2024-07-01",
                "cost": "200.80", "proceeds": "231.00", "gain": "30.20", "term": "short",
                "currency": "USD", "price_effect": null, "currency_effect": null,
            }],
            "totals": {"cost": "200.80", "proceeds": "231.00", "gain": "30.20", "short_term_gain": "30.20", "long_term_gain": "0.00", "currency_effect": "0.00"},
        })
    );
    let none = json_of(
        app.get("/api/portfolio/realized/?year=2023", Some(&user.access))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(none["lots"], json!([]));

    let performance = json_of(
        app.get(
            "/api/portfolio/performance/?from=2024-01-02&to=2024-12-31&benchmark=SPY",
            Some(&user.access),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(performance["currency"], "USD");
    assert_eq!(performance["from"], "2024-01-02");
    assert_eq!(performance["to"], "2024-12-31");
    assert_eq!(performance["start_value"], "0.00");
    assert_eq!(performance["end_value"], "360.00");
    assert_eq!(performance["invested"], "502.00");
    assert_eq!(performance["withdrawn"], "232.20");
    assert_eq!(performance["twr"], "19.76");
    assert_eq!(performance["mwr"], "23.11");
    assert_eq!(
        performance["benchmark"],
        json!({"ticker": "SPY", "twr": "20.00"})
    );
    let points = performance["points"].as_array().unwrap();
    assert_eq!(
        points[0],
        json!({"date": "2024-01-02", "value": "500.00", "twr": "-0.40"})
    );
    let july = points.iter().find(|p| p["date"] == "2024-07-01").unwrap();
    assert_eq!(july["value"], "348.00");
    assert_eq!(points.last().unwrap()["twr"], "19.76");

    // The identity: realized 30.20 + unrealized 58.80 + dividends 1.20 = out 232.20 + 360 − 502.
    let defaulted = json_of(
        app.get("/api/portfolio/performance/", Some(&user.access))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        defaulted["from"], "2024-01-02",
        "from the first transaction"
    );
    assert_eq!(defaulted["to"], "2025-01-02", "to the last closed day");
    assert_eq!(defaulted["end_value"], "360.00");

    for (query, field) in [
        ("?from=2024-12-31&to=2024-01-02", "from"),
        ("?to=2099-01-01", "to"),
        ("?from=someday", "from"),
        ("?benchmark=TOOLONGTICKER", "benchmark"),
    ] {
        let errors = json_of(
            app.get(
                &format!("/api/portfolio/performance/{query}"),
                Some(&user.access),
            )
            .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(errors[field][0].is_string(), "{query}: {errors}");
    }
}

async fn a_split_changes_the_share_count_and_nothing_else(backend: Backend) {
    let history = FakeHistory::start(&[
        ("NVDA", "2024-06-07", "1200.00"),
        ("NVDA", "2024-06-10", "120.00"),
        ("SPY", "2024-06-07", "500.00"),
        ("SPY", "2024-06-10", "500.00"),
    ]);
    let app = example_app(backend, &history).await;
    let user = app.user("jo").await;
    record(
        &app,
        &user,
        json!({"type": "BUY", "ticker": "NVDA", "date": "2024-06-07", "quantity": "2", "price": "1200", "fee": "0"}),
    )
    .await;
    record(
        &app,
        &user,
        json!({"type": "SPLIT", "ticker": "NVDA", "date": "2024-06-10", "ratio": "10"}),
    )
    .await;
    record(
        &app,
        &user,
        json!({"type": "SELL", "ticker": "NVDA", "date": "2024-06-10", "quantity": "5", "price": "120"}),
    )
    .await;
    let positions = json_of(
        app.get("/api/portfolio/positions/", Some(&user.access))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(positions["positions"][0]["quantity"], "15");
    assert_eq!(positions["positions"][0]["cost"], "1800.00");
    assert_eq!(positions["positions"][0]["average_cost"], "120");
    assert_eq!(positions["positions"][0]["realized_gain"], "0.00");
    let performance = json_of(
        app.get(
            "/api/portfolio/performance/?from=2024-06-07&to=2024-06-10",
            Some(&user.access),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(performance["twr"], "0.00", "{performance}");
    assert_eq!(performance["end_value"], "1800.00");
    let summary = json_of(
        app.get("/api/portfolio/summary/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        summary["holdings"][0]["shares"], "15.00000",
        "the open lot after the split"
    );
    assert_eq!(summary["holdings"][0]["costbasis"], "120.00");
    assert_eq!(summary["totals"]["cost"], "1800.00");
}

crate::backend_tests!(
    a_new_user_has_one_account_and_can_keep_several,
    transactions_are_exact_and_typed,
    bad_transactions_get_field_errors_and_write_nothing,
    edits_and_deletions_that_leave_a_later_sale_short_are_refused,
    another_users_ledger_is_a_404,
    the_assets_view_is_the_first_accounts_buys,
);

mod reports {
    use super::*;

    crate::per_backend!(
        the_worked_example_gives_its_numbers,
        a_split_changes_the_share_count_and_nothing_else,
    );
}
