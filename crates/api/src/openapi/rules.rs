//! What the document says once for every operation of a kind, applied after the handlers'
//! own attributes (which win where they say the same status).

use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Deprecated, HeaderBuilder, Ref, RefOr};
use utoipa::Modify;

use super::schemas::{error_body_ref, invalid_schema, json_response};
use crate::router;

/// The name of the bearer scheme the handlers' `security(...)` names.
pub const BEARER: &str = "bearer";

/// `Authorization: Bearer <JWT>`, the access token of `POST /api/token/`.
pub struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "The `access` token of `POST /api/token/` (or of a refresh).",
                    ))
                    .build(),
            ),
        );
    }
}

/// The answers an operation can give because of what it takes, not what it does:
/// - a bearer token: 401, none given (`not_authenticated`) or not valid (`token_not_valid`);
/// - a JSON body: 400 (a body that is no JSON object, or bad fields), 408 (a body too slow to
///   arrive), 413 (over 1 MiB), 415 (not `application/json`);
/// - query parameters: 400 (a bad one is a field error under its name);
/// - a path parameter: 404 (one that does not parse names nothing);
/// - the database (every operation not tagged `meta`): 503 while it cannot be reached, or
///   when password hashing is at capacity, with `Retry-After`.
pub struct CommonResponses;

const RESPONSES: &[(&str, &str, &str)] = &[
    (
        "Invalid",
        "400",
        "Invalid input: `{\"field\": [\"message\"]}` for every bad field or parameter, or \
         `{detail, code}` for a body that is no JSON object (`parse_error`, `invalid`).",
    ),
    (
        "Unauthorized",
        "401",
        "No bearer token (`not_authenticated`), or one that is not valid or has expired \
         (`token_not_valid`).",
    ),
    ("NotFound", "404", "Not found (`not_found`)."),
    (
        "RequestTimeout",
        "408",
        "The body took too long to arrive (`request_timeout`).",
    ),
    (
        "PayloadTooLarge",
        "413",
        "The body is over 1 MiB (`payload_too_large`).",
    ),
    (
        "UnsupportedMediaType",
        "415",
        "The body is not of the media type the operation takes (`unsupported_media_type`).",
    ),
    (
        "Unavailable",
        "503",
        "The database cannot be reached (`service_unavailable`) or the server is at \
         capacity (`busy`); try again after `Retry-After` seconds.",
    ),
];

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, status, description) in RESPONSES {
            let schema = if *status == "400" {
                invalid_schema()
            } else {
                error_body_ref()
            };
            let mut response = json_response(description, schema);
            if matches!(*status, "401") {
                response.headers.insert(
                    "WWW-Authenticate".into(),
                    HeaderBuilder::new()
                        .description(Some("`Bearer realm=\"api\"`"))
                        .build(),
                );
            }
            if matches!(*status, "503") {
                response.headers.insert(
                    "Retry-After".into(),
                    HeaderBuilder::new()
                        .description(Some("Seconds to wait."))
                        .build(),
                );
            }
            components.responses.insert((*name).into(), response.into());
        }
        for item in openapi.paths.paths.values_mut() {
            for operation in operations(item) {
                add_common(operation);
            }
        }
    }
}

fn add_common(operation: &mut Operation) {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_query = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Query);
    let has_path = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Path);
    let body_types: Vec<String> = operation
        .request_body
        .as_ref()
        .map(|body| body.content.keys().cloned().collect())
        .unwrap_or_default();
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let meta = operation
        .tags
        .as_ref()
        .is_some_and(|tags| tags.iter().any(|t| t == "meta"));
    let mut wanted = Vec::new();
    if has_query || body_types.iter().any(|t| t == "application/json") {
        wanted.push(("400", "Invalid"));
    }
    if secured {
        wanted.push(("401", "Unauthorized"));
    }
    if has_path {
        wanted.push(("404", "NotFound"));
    }
    if !body_types.is_empty() {
        wanted.extend([
            ("408", "RequestTimeout"),
            ("413", "PayloadTooLarge"),
            ("415", "UnsupportedMediaType"),
        ]);
    }
    if !meta {
        wanted.push(("503", "Unavailable"));
    }
    for (status, name) in wanted {
        operation
            .responses
            .responses
            .entry(status.into())
            .or_insert_with(|| RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))));
    }
}

/// A `HEAD` documented with its `GET` (one handler serves both) under an id of its own, as
/// operation ids are unique.
pub struct HeadIds;

impl Modify for HeadIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            if let Some(head) = &mut item.head {
                head.operation_id = head.operation_id.take().map(|id| id + "_head");
            }
        }
    }
}

/// Each Django alias the router registers, as a copy of its canonical path's operations marked
/// deprecated; the canonical ones name their alias.
pub struct DjangoAliases;

impl Modify for DjangoAliases {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let paths = &mut openapi.paths.paths;
        for registration in router::registrations() {
            let Some(canonical) = registration.alias_of else {
                continue;
            };
            let Some(item) = paths.get_mut(canonical) else {
                continue;
            };
            let mut alias = item.clone();
            for operation in operations(item) {
                let note = format!(
                    "Also at `{}` (the old Django path, deprecated).",
                    registration.path
                );
                operation.description = Some(match operation.description.take() {
                    Some(text) => format!("{text}\n\n{note}"),
                    None => note,
                });
            }
            for operation in operations(&mut alias) {
                operation.deprecated = Some(Deprecated::True);
                operation.operation_id = operation.operation_id.take().map(|id| id + "_django");
                operation.description = Some(format!(
                    "The old Django path of `{canonical}`, kept for the existing React client: \
                     the same operation."
                ));
            }
            paths.insert(registration.path, alias);
        }
    }
}

/// Every operation of a path item.
pub fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}
