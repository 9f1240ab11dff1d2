//! Holdings in and out as CSV: the export, and imports of files as they come from elsewhere
//! (BOM, CRLF, quotes, other header names), with dry runs, all-or-nothing imports and
//! duplicates skipped.

use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, TestApp, TestUser};

async fn import(app: &TestApp, user: &TestUser, query: &str, csv: &str) -> Response {
    app.client
        .post(app.url(&format!("/api/assets/import/{query}")))
        .bearer_auth(&user.access)
        .header("Content-Type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap()
}

async fn holdings(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let list = json_of(
        app.get("/api/assets/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|h| json!([h["ticker"], h["shares"], h["costbasis"], h["buy"]]))
        .collect()
}

async fn an_export_imported_into_an_empty_account_reproduces_the_holdings(app: TestApp) {
    let (ann, bob) = (app.user("ann").await, app.user("bob").await);
    for body in [
        json!({"ticker": "AAPL", "shares": "1.5", "costbasis": "412.5", "buy": "2024-03-01"}),
        json!({"ticker": "VTI", "shares": "0.00001", "costbasis": "99999999.99", "buy": "1999-12-31"}),
        json!({"ticker": "AAPL", "shares": "1.5", "costbasis": "412.5", "buy": "2024-03-01"}),
    ] {
        json_of(
            app.post("/api/assets/", Some(&ann.access), body).await,
            StatusCode::CREATED,
        )
        .await;
    }
    let export = app.get("/api/assets/export.csv", Some(&ann.access)).await;
    assert_eq!(export.status(), StatusCode::OK);
    assert!(export.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(export.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let csv = export.text().await.unwrap();
    assert_eq!(
        csv,
        "ticker,shares,costbasis,buy\nAAPL,1.50000,412.50,2024-03-01\nVTI,0.00001,99999999.99,1999-12-31\nAAPL,1.50000,412.50,2024-03-01\n"
    );
    let report = json_of(import(&app, &bob, "", &csv).await, StatusCode::OK).await;
    assert_eq!(report, json!({"created": 3, "skipped": 0, "errors": []}));
    assert_eq!(holdings(&app, &bob).await, holdings(&app, &ann).await);

    let again = json_of(import(&app, &bob, "", &csv).await, StatusCode::OK).await;
    assert_eq!(
        again,
        json!({"created": 0, "skipped": 3, "errors": []}),
        "importing twice adds nothing"
    );
    assert_eq!(holdings(&app, &bob).await.len(), 3);
    assert_eq!(
        app.get("/api/assets/export.csv", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn files_from_elsewhere_are_read_with_their_quirks(app: TestApp) {
    let user = app.user("ann").await;
    let file = "\u{feff}\"Symbol\",\"Qty\",\"Unit Price\",\"Date\",\"Notes\"\r\n\
                \"spy\",\"2\",\"471.25\",\"2024-01-02\",\"a, quoted note\"\r\n\
                VTI,0.5,237.5,2024-01-03,\r\n\r\n";
    let dry = json_of(
        import(&app, &user, "?dry_run=true", file).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(dry, json!({"created": 2, "skipped": 0, "errors": []}));
    assert!(
        holdings(&app, &user).await.is_empty(),
        "a dry run writes nothing"
    );
    json_of(
        import(&app, &user, "?dry_run=false", file).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        holdings(&app, &user).await,
        [
            json!(["SPY", "2.00000", "471.25", "2024-01-02"]),
            json!(["VTI", "0.50000", "237.50", "2024-01-03"]),
        ]
    );
}

async fn bad_files_are_refused_row_by_row_and_write_nothing(app: TestApp) {
    let user = app.user("ann").await;
    let file = "ticker,shares,costbasis,buy\nSPY,1,400,2024-01-02\nVTI,\"1,000\",200,2024-01-02\nBRK/B,1,1,2999-01-01\n";
    let dry = json_of(
        import(&app, &user, "?dry_run=true", file).await,
        StatusCode::OK,
    )
    .await;
    let refused = json_of(import(&app, &user, "", file).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(dry, refused, "a dry run reports what the import would");
    assert_eq!(refused["created"], 0);
    let errors = refused["errors"].as_array().unwrap();
    let where_: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(where_, [(3, "shares"), (4, "ticker"), (4, "buy")]);
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("thousands separators"));
    assert!(holdings(&app, &user).await.is_empty(), "all or nothing");

    let empty = json_of(import(&app, &user, "", "").await, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        empty["errors"],
        json!([{"row": 1, "field": "file", "message": "The file is empty."}])
    );
    let headless = json_of(
        import(&app, &user, "", "a,b\n1,2\n").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        headless["errors"].as_array().unwrap().len(),
        4,
        "{headless}"
    );

    let json_body = app
        .post(
            "/api/assets/import/",
            Some(&user.access),
            json!({"csv": "x"}),
        )
        .await;
    assert_eq!(json_body.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = "ticker,shares,costbasis,buy\n".to_owned() + &"SPY,1,1,2024-01-02\n".repeat(60_000);
    assert_eq!(
        import(&app, &user, "", &huge).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let bad_flag = import(&app, &user, "?dry_run=perhaps", "ticker\n").await;
    assert!(json_of(bad_flag, StatusCode::BAD_REQUEST).await["dry_run"].is_array());
}

crate::backend_tests!(
    an_export_imported_into_an_empty_account_reproduces_the_holdings,
    files_from_elsewhere_are_read_with_their_quirks,
    bad_files_are_refused_row_by_row_and_write_nothing,
);
