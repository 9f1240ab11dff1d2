use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_of, TestApp};

async fn creating_a_holding_returns_it_with_exact_decimals(app: TestApp) {
    let user = app.user("kim").await;
    let body = json!({
        "ticker": "vti", "shares": "12.345", "costbasis": "210.5", "buy": "2023-06-30", "user": 99999
    });
    let created = json_of(
        app.post("/api/assets/", Some(&user.access), body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["ticker"], "VTI");
    assert_eq!(created["shares"], "12.34500");
    assert_eq!(created["costbasis"], "210.50");
    assert_eq!(created["buy"], "2023-06-30");
    assert_eq!(
        created["user"], user.id,
        "the owner comes from the token, not the body"
    );
    let keys: Vec<&String> = created.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
}

async fn decimals_round_trip_exactly_at_the_limits(app: TestApp) {
    let user = app.user("lee").await;
    let cases = [
        (
            json!("99999999999999999999.99999"),
            json!("99999999.99"),
            "99999999999999999999.99999",
            "99999999.99",
        ),
        (json!("0.00001"), json!("0.01"), "0.00001", "0.01"),
        (json!(0.1), json!(0.3), "0.10000", "0.30"),
        (json!("0"), json!(0), "0.00000", "0.00"),
        (json!(1e2), json!("1E1"), "100.00000", "10.00"),
    ];
    for (shares, costbasis, want_shares, want_cost) in cases {
        let body =
            json!({"ticker": "X", "shares": shares, "costbasis": costbasis, "buy": "2020-01-01"});
        let created = json_of(
            app.post("/api/assets/", Some(&user.access), body).await,
            StatusCode::CREATED,
        )
        .await;
        let fetched = json_of(
            app.get(
                &format!("/api/assets/{}/", created["id"]),
                Some(&user.access),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(fetched["shares"], want_shares);
        assert_eq!(fetched["costbasis"], want_cost);
    }
}

async fn invalid_holdings_get_an_error_per_field(app: TestApp) {
    let user = app.user("max").await;
    let tomorrow = (Utc::now() + Duration::days(1)).date_naive().to_string();
    let body =
        json!({"ticker": "TOOLONGTICKER", "shares": "-1", "costbasis": "1.001", "buy": tomorrow});
    let errors = json_of(
        app.post("/api/assets/", Some(&user.access), body).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    for field in ["ticker", "shares", "costbasis", "buy"] {
        assert!(errors[field][0].is_string(), "{field}: {errors}");
    }
    let bad: [(&str, Value); 9] = [
        ("ticker", json!("BR/K")),
        ("ticker", json!("")),
        ("shares", json!("abc")),
        ("shares", json!("100000000000000000000")),
        ("shares", json!("1.000001")),
        ("costbasis", json!("100000000")),
        ("costbasis", json!(true)),
        ("buy", json!("2023-02-30")),
        ("buy", json!("30/06/2023")),
    ];
    for (field, value) in bad {
        let mut body =
            json!({"ticker": "OK", "shares": "1", "costbasis": "1", "buy": "2023-01-01"});
        body[field] = value.clone();
        let errors = json_of(
            app.post("/api/assets/", Some(&user.access), body).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(errors[field].is_array(), "{field}={value}: {errors}");
    }
    let errors = json_of(
        app.post("/api/assets/", Some(&user.access), json!({}))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(errors.as_object().unwrap().len(), 4, "{errors}");
    let listed = json_of(
        app.get("/api/assets/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed, json!([]), "nothing invalid was stored");
}

async fn out_of_range_numbers_get_drfs_messages(app: TestApp) {
    let user = app.user("rae").await;
    let whole =
        |n: u32| format!("Ensure that there are no more than {n} digits before the decimal point.");
    let places = |n: u32| format!("Ensure that there are no more than {n} decimal places.");
    let total = |n: u32| format!("Ensure that there are no more than {n} digits in total.");
    let cases: [(&str, Value, String); 9] = [
        ("costbasis", json!("1e30"), total(10)),
        ("costbasis", json!(1e30), total(10)),
        ("costbasis", json!("123456789"), whole(8)),
        ("costbasis", json!("1.5e8"), whole(8)),
        ("costbasis", json!("1.001"), places(2)),
        ("costbasis", json!("123456789.12"), total(10)),
        ("shares", json!("1e30"), total(25)),
        ("shares", json!("100000000000000000000"), whole(20)),
        ("shares", json!("1.000001"), places(5)),
    ];
    for (field, value, message) in cases {
        let mut body =
            json!({"ticker": "OK", "shares": "1", "costbasis": "1", "buy": "2023-01-01"});
        body[field] = value.clone();
        let errors = json_of(
            app.post("/api/assets/", Some(&user.access), body).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(errors, json!({field: [message]}), "{field}={value}");
    }

    let body =
        json!({"ticker": "OK", "shares": "2.5E1", "costbasis": "1.5e2", "buy": "2023-01-01"});
    let created = json_of(
        app.post("/api/assets/", Some(&user.access), body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (&created["shares"], &created["costbasis"]),
        (&json!("25.00000"), &json!("150.00")),
        "an exponent only moves the point"
    );
    let path = format!("/api/assets/{}/", created["id"]);
    let errors = json_of(
        app.patch(&path, Some(&user.access), json!({"costbasis": "1e9"}))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(errors, json!({"costbasis": [whole(8)]}));
    let kept = json_of(app.get(&path, Some(&user.access)).await, StatusCode::OK).await;
    assert_eq!(
        kept["costbasis"], "150.00",
        "a refused change stores nothing"
    );
}

async fn lists_hold_only_the_callers_holdings_in_id_order(app: TestApp) {
    let ann = app.user("ann").await;
    let ben = app.user("ben").await;
    let first = app.asset(&ann, "AAA").await;
    app.asset(&ben, "BBB").await;
    let second = app.asset(&ann, "CCC").await;
    let listed = json_of(
        app.get("/api/assets/", Some(&ann.access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed, json!([first, second]));
    let via_alias = json_of(
        app.get("/portfolio/api/assets/", Some(&ann.access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(via_alias, listed);
}

async fn a_holding_can_be_read_patched_replaced_and_deleted(app: TestApp) {
    let user = app.user("cat").await;
    let asset = app.asset(&user, "SPY").await;
    let path = format!("/api/assets/{}/", asset["id"]);
    let alias = format!("/portfolio/api/asset/{}/", asset["id"]);
    assert_eq!(
        json_of(app.get(&path, Some(&user.access)).await, StatusCode::OK).await,
        asset
    );
    assert_eq!(
        json_of(app.get(&alias, Some(&user.access)).await, StatusCode::OK).await,
        asset
    );

    let patched = json_of(
        app.patch(&path, Some(&user.access), json!({"shares": "3.5"}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(patched["shares"], "3.50000");
    assert_eq!(patched["ticker"], "SPY");
    assert_eq!(patched["costbasis"], asset["costbasis"]);
    let unchanged = json_of(
        app.patch(&alias, Some(&user.access), json!({"user": 5}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(unchanged, patched);
    let refused = app
        .patch(&path, Some(&user.access), json!({"costbasis": "-5"}))
        .await;
    assert!(json_of(refused, StatusCode::BAD_REQUEST).await["costbasis"].is_array());

    let incomplete = app
        .put(&path, Some(&user.access), json!({"ticker": "QQQ"}))
        .await;
    assert!(json_of(incomplete, StatusCode::BAD_REQUEST).await["shares"].is_array());
    let full = json!({"ticker": "qqq", "shares": "1", "costbasis": "2", "buy": "2022-02-02"});
    let replaced = json_of(
        app.put(&path, Some(&user.access), full).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(replaced["ticker"], "QQQ");
    assert_eq!(replaced["buy"], "2022-02-02");

    assert_eq!(
        app.delete(&alias, Some(&user.access)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&path, Some(&user.access)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&path, Some(&user.access)).await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn someone_elses_holding_is_404_for_every_method_and_stays_untouched(app: TestApp) {
    let owner = app.user("dan").await;
    let intruder = app.user("eve").await;
    let asset = app.asset(&owner, "MSFT").await;
    let path = format!("/api/assets/{}/", asset["id"]);
    let change = json!({"ticker": "HACK", "shares": "0", "costbasis": "0", "buy": "2020-01-01"});
    let responses = [
        app.get(&path, Some(&intruder.access)).await,
        app.patch(&path, Some(&intruder.access), change.clone())
            .await,
        app.put(&path, Some(&intruder.access), change).await,
        app.delete(&path, Some(&intruder.access)).await,
    ];
    for response in responses {
        let body = json_of(response, StatusCode::NOT_FOUND).await;
        assert_eq!(body["code"], "not_found");
        assert!(body.get("ticker").is_none());
    }
    assert_eq!(
        json_of(app.get(&path, Some(&owner.access)).await, StatusCode::OK).await,
        asset
    );
}

async fn huge_or_non_numeric_ids_are_404(app: TestApp) {
    let user = app.user("fay").await;
    for id in [
        "99999999999999999999999",
        "abc",
        "-1",
        "0",
        "1.5",
        "9223372036854775807",
    ] {
        let response = app
            .get(&format!("/api/assets/{id}/"), Some(&user.access))
            .await;
        assert_eq!(
            json_of(response, StatusCode::NOT_FOUND).await["code"],
            "not_found",
            "{id}"
        );
    }
}

async fn holdings_need_authentication(app: TestApp) {
    assert_eq!(
        app.get("/api/assets/", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let body = json!({"ticker": "A", "shares": "1", "costbasis": "1", "buy": "2020-01-01"});
    assert_eq!(
        app.post("/api/assets/", None, body).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.delete("/api/assets/1/", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn concurrent_writes_all_succeed(app: TestApp) {
    let user = app.user("gus").await;
    let creates = (0..40).map(|i| {
        let body = json!({"ticker": format!("T{i}"), "shares": format!("{i}.5"), "costbasis": "1", "buy": "2021-01-01"});
        app.post("/api/assets/", Some(&user.access), body)
    });
    for response in futures_util::future::join_all(creates).await {
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
    }
    let listed = json_of(
        app.get("/api/assets/", Some(&user.access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 40);
}

crate::backend_tests!(
    creating_a_holding_returns_it_with_exact_decimals,
    decimals_round_trip_exactly_at_the_limits,
    invalid_holdings_get_an_error_per_field,
    out_of_range_numbers_get_drfs_messages,
    lists_hold_only_the_callers_holdings_in_id_order,
    a_holding_can_be_read_patched_replaced_and_deleted,
    someone_elses_holding_is_404_for_every_method_and_stays_untouched,
    huge_or_non_numeric_ids_are_404,
    holdings_need_authentication,
    concurrent_writes_all_succeed,
);
