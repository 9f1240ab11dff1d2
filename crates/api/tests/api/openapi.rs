//! `GET /api/openapi.json` and `GET /api/docs`: a document that lists exactly what the router
//! serves, and interactive docs that need nothing from outside.

use std::collections::{BTreeMap, BTreeSet};

use api::router::registrations;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{json_of, Backend, TestApp};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn document(app: &TestApp) -> Value {
    let response = app.get("/api/openapi.json", None).await;
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    json_of(response, StatusCode::OK).await
}

/// (path, method) of every operation in the document.
fn documented(spec: &Value) -> BTreeSet<(String, String)> {
    spec["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("a path item");
            METHODS
                .iter()
                .filter(|method| item.contains_key(**method))
                .map(|method| (path.clone(), method.to_uppercase()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn operations(spec: &Value) -> Vec<(String, String, &Value)> {
    let mut all = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                all.push((path.clone(), method.to_owned(), operation));
            }
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_lists_exactly_the_operations_the_router_registers() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let spec = document(&app).await;
    assert_eq!(spec["openapi"], "3.1.0");
    let registered: BTreeSet<(String, String)> = registrations()
        .into_iter()
        .flat_map(|r| {
            r.methods
                .iter()
                .map(|method| (r.path.clone(), method.to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    let documented = documented(&spec);
    let undocumented: Vec<_> = registered.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&registered).collect();
    assert!(
        undocumented.is_empty(),
        "routed but not in the document: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "in the document but not routed: {unrouted:?}"
    );
    assert!(registered.len() > 50, "{} operations", registered.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_registered_path_serves_its_methods_and_refuses_others() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let example = |path: &str| {
        path.replace("{id}", "1")
            .replace("{sunday}", "2026-11-29")
            .replace("{ticker}", "SPY")
            .replace("{file}", "index.css")
    };
    for registration in registrations() {
        let path = example(&registration.path);
        let methods: Vec<Method> = registration
            .methods
            .iter()
            .map(|m| Method::from_bytes(m.as_str().as_bytes()).unwrap())
            .collect();
        for method in &methods {
            let response = app.request(method.clone(), &path, None, None).await;
            assert_ne!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
        }
        let unregistered = [Method::PUT, Method::PATCH, Method::DELETE, Method::POST]
            .into_iter()
            .find(|m| !methods.contains(m))
            .expect("a method the path does not take");
        let refused = app.request(unregistered.clone(), &path, None, None).await;
        assert_eq!(
            refused.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{unregistered} {path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn django_aliases_are_deprecated_copies_of_their_canonical_operations() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let spec = document(&app).await;
    let aliases: Vec<_> = registrations()
        .into_iter()
        .filter_map(|r| r.alias_of.map(|canonical| (r.path, canonical)))
        .collect();
    assert_eq!(aliases.len(), 8);
    for (alias, canonical) in aliases {
        let (alias_item, canonical_item) = (&spec["paths"][&alias], &spec["paths"][canonical]);
        for method in METHODS {
            let (Some(old), Some(new)) = (alias_item.get(method), canonical_item.get(method))
            else {
                assert_eq!(
                    alias_item.get(method),
                    canonical_item.get(method),
                    "{alias}"
                );
                continue;
            };
            assert_eq!(old["deprecated"], true, "{method} {alias}");
            assert!(new.get("deprecated").is_none(), "{method} {canonical}");
            assert_eq!(old["responses"], new["responses"], "{method} {alias}");
            assert_eq!(old["requestBody"], new["requestBody"], "{method} {alias}");
            assert!(
                new["description"].as_str().unwrap().contains(&alias),
                "{method} {canonical} names {alias}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_states_its_security_errors_and_a_unique_id() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let spec = document(&app).await;
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"],
        serde_json::json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "The `access` token of `POST /api/token/` (or of a refresh)."})
    );
    let mut ids = BTreeMap::new();
    for (path, method, operation) in operations(&spec) {
        let id = operation["operationId"].as_str().expect("an operationId");
        if let Some(other) = ids.insert(id.to_owned(), format!("{method} {path}")) {
            panic!("{id} names both {other} and {method} {path}");
        }
        let responses = operation["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|status| status.starts_with('2')),
            "{method} {path} has a success"
        );
        if operation.get("security").is_some() {
            assert!(responses.contains_key("401"), "{method} {path}: 401");
        }
        if operation.get("requestBody").is_some() {
            for status in ["400", "413", "415"] {
                assert!(responses.contains_key(status), "{method} {path}: {status}");
            }
        }
        if path.contains("{id}") {
            assert!(responses.contains_key("404"), "{method} {path}: 404");
        }
    }
    let token = &spec["paths"]["/api/token"]["post"]["responses"];
    assert!(
        token.get("429").is_some(),
        "a throttled login is documented"
    );
    let assets = &spec["paths"]["/api/assets"];
    assert_eq!(
        assets["get"]["security"],
        serde_json::json!([{"bearer": []}])
    );
    assert!(spec["paths"]["/api/wallstreet/leaderboard"]["get"]
        .get("security")
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemas_give_decimals_as_strings_with_their_digits_and_dates_as_dates() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let spec = document(&app).await;
    let schemas = &spec["components"]["schemas"];
    let input = &schemas["AssetInput"]["properties"];
    assert_eq!(input["shares"]["type"], "string");
    assert_eq!(input["shares"]["pattern"], r"^[0-9]{1,20}(\.[0-9]{1,5})?$");
    assert_eq!(
        input["costbasis"]["pattern"],
        r"^[0-9]{1,8}(\.[0-9]{1,2})?$"
    );
    assert_eq!(input["buy"]["format"], "date");
    let view = &schemas["AssetView"]["properties"];
    assert_eq!(view["shares"]["type"], "string");
    assert_eq!(view["buy"]["format"], "date");
    assert_eq!(
        schemas["ErrorBody"]["required"],
        serde_json::json!(["detail"])
    );
    assert_eq!(schemas["FieldErrors"]["type"], "object");
    assert_eq!(
        schemas["FieldErrors"]["additionalProperties"]["items"]["type"],
        "string"
    );
    let leaderboard = &spec["paths"]["/api/wallstreet/leaderboard"]["get"];
    let page = &leaderboard["responses"]["200"]["content"]["application/json"]["schema"];
    let page = resolve(&spec, page);
    for field in ["count", "next", "previous", "results"] {
        assert!(page["properties"].get(field).is_some(), "page has {field}");
    }
}

/// A schema, or the one its `$ref` names.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            &spec["components"]["schemas"][name]
        }
        None => schema,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docs_page_loads_only_our_own_files_and_has_no_inline_script() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for path in ["/api/docs", "/api/docs/"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(policy.contains("default-src 'none'"), "{policy}");
        let html = response.text().await.unwrap();
        assert!(!html.contains("://"), "no outside URL in {html}");
        let scripts: Vec<&str> = html.split("<script").skip(1).collect();
        // Swagger UI's three, and ours (docs.js: names for its unnamed controls).
        assert_eq!(scripts.len(), 4, "{html}");
        for script in scripts {
            let (tag, rest) = script.split_once('>').unwrap();
            let body = rest.split("</script>").next().unwrap();
            assert!(tag.contains("src=\"/api/docs/"), "<script{tag}>");
            assert!(body.trim().is_empty(), "inline script: {body}");
        }
        let links: Vec<&str> = html
            .split(['"'])
            .filter(|part| part.starts_with("/api/docs/"))
            .collect();
        assert_eq!(links.len(), 9, "{links:?}");
        for link in links {
            let file = app.get(link, None).await;
            assert_eq!(file.status(), StatusCode::OK, "{link}");
            let content_type = file.headers()["content-type"].to_str().unwrap().to_owned();
            let expected = match link.rsplit('.').next().unwrap() {
                "css" => "text/css",
                "js" => "text/javascript",
                "png" => "image/png",
                other => panic!("{other}"),
            };
            assert!(content_type.starts_with(expected), "{link}: {content_type}");
            if link.ends_with("swagger-initializer.js") {
                let script = file.text().await.unwrap();
                assert!(script.contains("\"/api/openapi.json\""), "{script}");
                assert!(!script.contains("petstore"), "{script}");
            }
        }
    }
    let missing = json_of(
        app.get("/api/docs/oauth2-redirect.html", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(missing["code"], "not_found");
}
