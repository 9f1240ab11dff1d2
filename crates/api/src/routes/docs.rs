//! The API's own documentation: the OpenAPI document, and Swagger UI to read it and try each
//! call. Every file comes from the binary (Swagger UI's from the `utoipa-swagger-ui` crate's
//! own copy), so the docs work offline and need no CDN; the page has no inline script (the
//! set-up is a file of its own), so a `script-src 'self'` policy does not break it.

use std::sync::{Arc, OnceLock};

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use utoipa_swagger_ui::Config;

use crate::error::ApiError;

pub const OPENAPI_JSON: &str = "/api/openapi.json";
pub const DOCS: &str = "/api/docs";

/// Swagger UI's files the page uses; the rest of its distribution (source maps, other
/// bundles, an OAuth page with inline script) is not served.
const ASSETS: &[&str] = &[
    "swagger-ui.css",
    "index.css",
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "swagger-initializer.js",
    "favicon-32x32.png",
    "favicon-16x16.png",
];

/// The page, with absolute links: `/api/docs` and `/api/docs/` are one route, and relative ones
/// (Swagger UI's own page has them) would resolve differently under each.
const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>fattore API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<link rel="stylesheet" href="/api/docs/index.css">
<link rel="stylesheet" href="/api/docs/docs.css">
<link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="/api/docs/favicon-16x16.png" sizes="16x16">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/swagger-ui-standalone-preset.js"></script>
<script src="/api/docs/swagger-initializer.js"></script>
<script src="/api/docs/docs.js"></script>
</body>
</html>
"#;

/// The page's policy: its own scripts, styles and images only, and calls to this origin.
const PAGE_POLICY: &str =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// The OpenAPI document as served, built once at start-up (`crate::openapi`) and handed to the
/// routes as app data, so the routes need not know how it is made.
pub struct OpenApiJson(pub &'static str);

/// `GET /api/openapi.json`: this API's OpenAPI 3.1 document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openapi_document",
    tag = "meta",
    responses((status = 200, description = "This document.", body = Object))
)]
pub async fn openapi_json(document: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document.0)
}

/// `GET /api/docs/`: Swagger UI on this API's document.
#[utoipa::path(
    get,
    path = "/api/docs",
    operation_id = "docs_page",
    tag = "meta",
    responses((status = 200, description = "The interactive docs' page.", content_type = "text/html"))
)]
pub async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_POLICY))
        .body(PAGE)
}

/// Our own corrections to Swagger UI's styles: contrast that meets WCAG AA (the method badges,
/// deprecated operations, the version stamp) and the parts of the page we do not use.
const OWN_STYLES: &str = include_str!("docs.css");
/// And to its markup: names for the controls it leaves unnamed.
const OWN_SCRIPT: &str = include_str!("docs.js");

/// `GET /api/docs/{file}`: one of the page's files.
#[utoipa::path(
    get,
    path = "/api/docs/{file}",
    operation_id = "docs_asset",
    tag = "meta",
    params(("file" = String, Path, description = "A file of the page, e.g. `swagger-ui.css`.")),
    responses(
        (status = 200, description = "The file (a script, a style sheet or an icon).", content_type = "application/octet-stream"),
        (status = 404, description = "No such file (`not_found`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn asset(file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let name = file.as_str();
    let own = match name {
        "docs.css" => Some(("text/css; charset=utf-8", OWN_STYLES)),
        "docs.js" => Some(("text/javascript; charset=utf-8", OWN_SCRIPT)),
        _ => None,
    };
    if let Some((content_type, text)) = own {
        return Ok(HttpResponse::Ok()
            .content_type(content_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(text));
    }
    if !ASSETS.contains(&name) {
        return Err(ApiError::NotFound);
    }
    let found = utoipa_swagger_ui::serve(name, config())
        .map_err(|err| ApiError::internal(err.to_string()))?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(found.content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(found.bytes.into_owned()))
}

/// Swagger UI's settings, written into `swagger-initializer.js`: our document; no validator
/// badge (it would fetch from an outside service); the base layout, without the top bar whose
/// unlabelled field loads another document; and no deep links, whose anchors inside each
/// operation's toggle button made interactive elements nested in one another.
fn config() -> Arc<Config<'static>> {
    static CONFIG: OnceLock<Arc<Config<'static>>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            Arc::new(
                Config::new([OPENAPI_JSON])
                    .use_base_layout()
                    .deep_linking(false)
                    .validator_url("none")
                    .try_it_out_enabled(true)
                    .persist_authorization(false),
            )
        })
        .clone()
}
