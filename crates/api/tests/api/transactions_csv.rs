//! The ledger as CSV through HTTP on both databases: our own layout round-trips, an import is
//! idempotent and all or nothing (a dry run included), and Ghostfolio's and Wealthfolio's
//! activity files move in with the figures their rows stand for.

use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, TestApp, TestUser};

async fn import(app: &TestApp, user: &TestUser, query: &str, csv: &str) -> Response {
    app.client
        .post(app.url(&format!("/api/transactions/import/{query}")))
        .bearer_auth(&user.access)
        .header("Content-Type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap()
}

async fn ledger(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let list = json_of(
        app.get("/api/transactions/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let mut t = t.clone();
            let object = t.as_object_mut().unwrap();
            object.remove("id");
            object.remove("account");
            t
        })
        .collect()
}

async fn export(app: &TestApp, user: &TestUser) -> String {
    let response = app
        .get("/api/transactions/export.csv", Some(&user.access))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    response.text().await.unwrap()
}

async fn our_layout_round_trips_and_a_second_import_adds_nothing(app: TestApp) {
    let ann = app.user("ann").await;
    for body in [
        json!({"type": "BUY", "ticker": "XYZ", "date": "2024-01-02", "quantity": "10", "price": "50", "fee": "2", "note": "a \"quoted\", note"}),
        json!({"type": "SELL", "ticker": "XYZ", "date": "2024-07-01", "quantity": "4", "price": "58", "fee": "1"}),
        json!({"type": "DIVIDEND", "ticker": "XYZ", "date": "2024-10-01", "amount": "1.20"}),
        json!({"type": "SPLIT", "ticker": "XYZ", "date": "2024-11-01", "ratio": "2"}),
    ] {
        json_of(
            app.post("/api/transactions/", Some(&ann.access), body)
                .await,
            StatusCode::CREATED,
        )
        .await;
    }
    let csv = export(&app, &ann).await;
    assert_eq!(
        csv.lines().next().unwrap(),
        "type,ticker,date,quantity,price,fee,amount,ratio,account,currency,note"
    );
    assert_eq!(
        csv.lines().nth(3).unwrap(),
        "DIVIDEND,XYZ,2024-10-01,,,,1.2,,Main,USD,"
    );

    let bob = app.user("bob").await;
    let dry = json_of(
        import(&app, &bob, "?dry_run=true", &csv).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(dry, json!({"created": 4, "skipped": 0, "errors": []}));
    assert!(
        ledger(&app, &bob).await.is_empty(),
        "a dry run writes nothing"
    );
    let done = json_of(import(&app, &bob, "", &csv).await, StatusCode::OK).await;
    assert_eq!(done, json!({"created": 4, "skipped": 0, "errors": []}));
    assert_eq!(ledger(&app, &bob).await, ledger(&app, &ann).await);
    let again = json_of(import(&app, &bob, "", &csv).await, StatusCode::OK).await;
    assert_eq!(again, json!({"created": 0, "skipped": 4, "errors": []}));
    assert_eq!(ledger(&app, &bob).await.len(), 4);
}

async fn a_bad_file_writes_nothing_and_names_every_bad_row(app: TestApp) {
    let user = app.user("cat").await;
    let csv = "type,ticker,date,quantity,price,fee,amount,ratio,account\n\
               BUY,AAA,2024-01-02,5,10,0,,,\n\
               GIFT,AAA,2024-01-03,1,1,,,,\n\
               BUY,AAA,2024-01-04,0,10,,,,Main\n\
               BUY,AAA,2024-01-05,1,10,,,,Savings\n\
               DIVIDEND,AAA,2024-01-06,1,,,2,,\n";
    let report = json_of(import(&app, &user, "", csv).await, StatusCode::BAD_REQUEST).await;
    let errors: Vec<(u64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            (3, "type"),
            (4, "quantity"),
            (5, "account"),
            (6, "quantity")
        ],
        "{report}"
    );
    assert_eq!(report["created"], 0);
    assert!(ledger(&app, &user).await.is_empty());
    let dry = json_of(import(&app, &user, "?dry_run=1", csv).await, StatusCode::OK).await;
    assert_eq!(
        dry["errors"], report["errors"],
        "a dry run reports the same, with a 200"
    );

    // A sale the ledger cannot cover is the sale's row; nothing is kept.
    let short =
        "type,ticker,date,quantity,price\nBUY,AAA,2024-01-02,5,10\nSELL,AAA,2024-01-03,6,11\n";
    let report = json_of(
        import(&app, &user, "", short).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(report["errors"][0]["row"], 3, "{report}");
    assert_eq!(report["errors"][0]["field"], "quantity");
    assert!(ledger(&app, &user).await.is_empty());
    let empty = json_of(import(&app, &user, "", "").await, StatusCode::BAD_REQUEST).await;
    assert_eq!(empty["errors"][0]["field"], "file");
}

async fn a_ghostfolio_file_moves_in(app: TestApp) {
    let user = app.user("dan").await;
    let csv = "Date,Code,DataSource,Currency,Price,Quantity,Action,Fee,Note\n\
               15-03-2023,KO,YAHOO,USD,58.40,20,buy,1.50,First lot\n\
               2023-06-20,KO,YAHOO,USD,61.25,5,Sell,1.50,\n\
               12/09/2023,KO,YAHOO,USD,0.46,15,dividend,0,Q3 dividend\n\
               2023.12.14,KO,YAHOO,USD,0.46,15,DIVIDEND,1.04,Q4 dividend after withholding\n";
    let report = json_of(import(&app, &user, "", csv).await, StatusCode::OK).await;
    assert_eq!(report, json!({"created": 4, "skipped": 0, "errors": []}));
    let got = ledger(&app, &user).await;
    let brief: Vec<(&str, &str, Value, Value, Value, Value)> = got
        .iter()
        .map(|t| {
            (
                t["type"].as_str().unwrap(),
                t["date"].as_str().unwrap(),
                t["quantity"].clone(),
                t["price"].clone(),
                t["fee"].clone(),
                t["amount"].clone(),
            )
        })
        .collect();
    assert_eq!(
        brief,
        [
            (
                "BUY",
                "2023-03-15",
                json!("20"),
                json!("58.4"),
                json!("1.5"),
                Value::Null
            ),
            (
                "SELL",
                "2023-06-20",
                json!("5"),
                json!("61.25"),
                json!("1.5"),
                Value::Null
            ),
            (
                "DIVIDEND",
                "2023-09-12",
                Value::Null,
                Value::Null,
                Value::Null,
                json!("6.9")
            ),
            (
                "DIVIDEND",
                "2023-12-14",
                Value::Null,
                Value::Null,
                Value::Null,
                json!("5.86")
            ),
        ]
    );
    let fee = "Date,Code,DataSource,Currency,Price,Quantity,Action,Fee,Note\n\
               20231115,Custody Fee,MANUAL,USD,12,1,fee,0,Annual custody fee\n";
    let refused = json_of(import(&app, &user, "", fee).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(refused["errors"][0]["row"], 2);
    assert_eq!(refused["errors"][0]["field"], "type");
}

async fn a_wealthfolio_export_moves_in_by_account_name(app: TestApp) {
    let user = app.user("eli").await;
    let csv = include_str!("../fixtures/wealthfolio-export.csv");
    let report = json_of(import(&app, &user, "", csv).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        report["errors"],
        json!([{"row": 2, "field": "type", "message": report["errors"][0]["message"]}]),
        "the deposit is refused"
    );
    let without_deposit: String = csv
        .lines()
        .filter(|line| !line.contains("\"DEPOSIT\""))
        .collect::<Vec<_>>()
        .join("\n");
    let unknown = json_of(
        import(&app, &user, "", &without_deposit).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let fields: Vec<&Value> = unknown["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["field"])
        .collect();
    assert_eq!(
        fields,
        [&json!("account"); 4],
        "no account is named Brokerage yet"
    );
    json_of(
        app.post(
            "/api/accounts/",
            Some(&user.access),
            json!({"name": "Brokerage"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let report = json_of(
        import(&app, &user, "", &without_deposit).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["created"], 4);
    let got = ledger(&app, &user).await;
    let split = got.iter().find(|t| t["type"] == "SPLIT").unwrap();
    assert_eq!(split["ticker"], "MSFT");
    assert_eq!(split["ratio"], "2");
    assert_eq!(split["note"], "2-for-1 \"forward\" split");
    let positions = json_of(
        app.get("/api/portfolio/positions/", Some(&user.access))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(positions["positions"][0]["quantity"], "6", "(4 − 1) × 2");
    assert_eq!(positions["positions"][0]["dividends"], "2.04");
}

crate::backend_tests!(
    our_layout_round_trips_and_a_second_import_adds_nothing,
    a_bad_file_writes_nothing_and_names_every_bad_row,
    a_ghostfolio_file_moves_in,
    a_wealthfolio_export_moves_in_by_account_name,
);
