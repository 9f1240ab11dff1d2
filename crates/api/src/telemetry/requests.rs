//! The middleware every request passes first: it takes the request's id from `X-Request-Id`
//! when that is well formed (the proxy always sends one) or makes a new one, keeps the request's
//! context in scope while it is served, so that every log line it causes carries the id, then
//! counts the request in the metrics, writes its access-log line, and returns the id to the
//! client in `X-Request-Id`.
//!
//! The api believes any well-formed id: through the proxy every request has one the proxy
//! vouches for, and anyone who reaches the api directly can only label their own lines.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, Error};
use shared::paths::API_HEALTH;
use shared::request::{RequestContext, RequestId, REQUEST_ID_HEADER};

use super::metrics::{Metrics, RequestMetrics};
use crate::error::ApiError;
use crate::input::ClientIp;

/// The route label of a request no route took (404s, static files).
const UNMATCHED: &str = "unmatched";

pub async fn track(
    metrics: web::Data<Metrics>,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| RequestId::parse(value.as_bytes()))
        .unwrap_or_else(RequestId::generate);
    let header = HeaderValue::from_str(id.as_str()).expect("a request id is a header value");
    let context = Arc::new(RequestContext {
        id,
        method: req.method().to_string(),
        path: req.path().to_owned(),
        client_ip: ClientIp::of(req.request()).ok().map(|ClientIp(ip)| ip),
    });
    let method = method_label(req.method());
    let query = req.query_string().to_owned();
    context
        .clone()
        .scope(async move {
            let response = next.call(req).await;
            let outcome = match &response {
                Ok(response) => Outcome {
                    status: response.status(),
                    route: response.request().match_pattern(),
                    bytes: match response.response().body().size() {
                        BodySize::Sized(bytes) => bytes,
                        BodySize::None | BodySize::Stream => 0,
                    },
                    error: response
                        .response()
                        .error()
                        .and_then(|err| err.as_error::<ApiError>()),
                },
                // Only a middleware fails this way (handlers' errors are responses by now);
                // actix makes the response after this, so it goes without the id header.
                Err(err) => Outcome {
                    status: err.as_response_error().status_code(),
                    route: None,
                    bytes: 0,
                    error: err.as_error::<ApiError>(),
                },
            };
            count(&metrics.requests, method, &outcome, started);
            log_access(&context, &query, &outcome, started);
            response.map(|mut response| {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(REQUEST_ID_HEADER), header);
                response
            })
        })
        .await
}

/// How a request ended, as the metrics and the access log see it.
struct Outcome<'a> {
    status: StatusCode,
    /// The template of the route that took it (`/api/assets/{id}`), so that ids do not make
    /// a label each.
    route: Option<String>,
    bytes: u64,
    error: Option<&'a ApiError>,
}

/// The method as a label: anything but the methods the api knows is `other`, so made-up
/// methods cannot add labels without end.
fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

fn count(metrics: &RequestMetrics, method: &str, outcome: &Outcome, started: Instant) {
    let route = outcome.route.as_deref().unwrap_or(UNMATCHED);
    metrics
        .total
        .with_label_values(&[method, route, outcome.status.as_str()])
        .inc();
    metrics
        .duration
        .with_label_values(&[method, route])
        .observe(started.elapsed().as_secs_f64());
    match outcome.error {
        Some(ApiError::InvalidCredentials) => metrics.login_failures.inc(),
        Some(ApiError::Throttled { .. }) => metrics.rate_limited.with_label_values(&[route]).inc(),
        _ => {}
    }
}

/// The access-log line (target `access`), written in the request's scope so it carries the
/// request's fields. A passing health check is written at `debug`: the proxy's and the
/// platform's checks come every few seconds and would bury the real requests; a failing one is
/// news and is written like any request.
fn log_access(context: &RequestContext, query: &str, outcome: &Outcome, started: Instant) {
    let passing_health_check =
        outcome.route.as_deref() == Some(API_HEALTH) && outcome.status.is_success();
    let level = if passing_health_check {
        log::Level::Debug
    } else {
        log::Level::Info
    };
    if !log::log_enabled!(target: "access", level) {
        return;
    }
    let status = outcome.status.as_u16();
    let duration_ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
    let separator = if query.is_empty() { "" } else { "?" };
    log::log!(
        target: "access",
        level,
        status,
        duration_ms,
        bytes = outcome.bytes;
        "{} {}{separator}{query} {status}",
        context.method,
        context.path,
    );
}
