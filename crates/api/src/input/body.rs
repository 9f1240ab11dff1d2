//! The request bodies the endpoints take, bounded in size and in the time they may take to
//! arrive: a JSON object (every write endpoint), or a CSV file (the holdings import).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{dev, web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// The largest request body accepted anywhere in the API.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// How long a client may take to send a body once its headers have arrived.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// A request body that is a JSON object, read up to [`MAX_BODY_BYTES`].
///
/// An empty body counts as `{}` so that a bare POST gets per-field "required" errors.
pub struct JsonObject(pub Map<String, Value>);

impl FromRequest for JsonObject {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut dev::Payload) -> Self::Future {
        let checked = check_headers(req);
        let mut payload = payload.take();
        Box::pin(async move {
            checked?;
            actix_web::rt::time::timeout(BODY_TIMEOUT, read_bounded(&mut payload))
                .await
                .map_err(|_| ApiError::RequestTimeout)?
                .and_then(|body| parse_object(&body))
                .map(JsonObject)
        })
    }
}

/// A `text/csv` request body, read up to [`MAX_BODY_BYTES`].
pub struct CsvBody(pub web::Bytes);

impl FromRequest for CsvBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut dev::Payload) -> Self::Future {
        let checked = check_length(req).and_then(|()| {
            let content_type = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            match essence(content_type).as_str() {
                "text/csv" | "application/csv" => Ok(()),
                _ => Err(ApiError::UnsupportedMediaType {
                    given: content_type.to_owned(),
                    expected: "text/csv",
                }),
            }
        });
        let mut payload = payload.take();
        Box::pin(async move {
            checked?;
            actix_web::rt::time::timeout(BODY_TIMEOUT, read_bounded(&mut payload))
                .await
                .map_err(|_| ApiError::RequestTimeout)?
                .map(|body| CsvBody(body.freeze()))
        })
    }
}

/// A media type without its parameters, lower-cased.
fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Refuses a declared length over [`MAX_BODY_BYTES`] before reading anything.
fn check_length(req: &HttpRequest) -> Result<(), ApiError> {
    let declared_length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    Ok(())
}

/// Reads the whole body, refusing it as soon as it passes [`MAX_BODY_BYTES`].
async fn read_bounded(payload: &mut dev::Payload) -> Result<web::BytesMut, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|err| match err {
            actix_web::error::PayloadError::Overflow => ApiError::PayloadTooLarge,
            other => {
                ApiError::bad_request(format!("Could not read the body: {other}"), "parse_error")
            }
        })?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn check_headers(req: &HttpRequest) -> Result<(), ApiError> {
    check_length(req)?;
    let declared_length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let Some(content_type) = req.headers().get(header::CONTENT_TYPE) else {
        // A body with no declared type is refused; an empty one is just an empty form.
        return match declared_length {
            Some(0) | None if !req.headers().contains_key(header::TRANSFER_ENCODING) => Ok(()),
            _ => Err(ApiError::UnsupportedMediaType {
                given: String::new(),
                expected: "application/json",
            }),
        };
    };
    let content_type = content_type.to_str().unwrap_or_default();
    let essence = essence(content_type);
    if essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
    {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType {
            given: content_type.to_owned(),
            expected: "application/json",
        })
    }
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    // serde_json refuses nesting deeper than 128 levels, so hostile depth is a parse error here.
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::bad_request(
            format!(
                "Invalid data. Expected a JSON object, but got {}.",
                json_kind(&other)
            ),
            "invalid",
        )),
        Err(err) => Err(ApiError::bad_request(
            format!("JSON parse error - {err}"),
            "parse_error",
        )),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
