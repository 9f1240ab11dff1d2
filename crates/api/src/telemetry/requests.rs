//! The middleware every request passes first: it takes the request's id from `X-Request-Id`
//! when that is well formed (the proxy always sends one) or makes a new one, keeps the request's
//! context in scope while it is served, so that every log line it causes carries the id, writes
//! its access-log line, and returns the id to the client in `X-Request-Id`.
//!
//! The api believes any well-formed id: through the proxy every request has one the proxy
//! vouches for, and anyone who reaches the api directly can only label their own lines.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::Error;
use shared::request::{RequestContext, RequestId, REQUEST_ID_HEADER};

use crate::input::ClientIp;

pub async fn track(
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
    let query = req.query_string().to_owned();
    context
        .clone()
        .scope(async move {
            let response = next.call(req).await;
            match &response {
                Ok(response) => log_access(&context, &query, response.status(), started, {
                    match response.response().body().size() {
                        BodySize::Sized(bytes) => bytes,
                        BodySize::None | BodySize::Stream => 0,
                    }
                }),
                // Only a middleware fails this way (handlers' errors are responses by now);
                // actix makes the response after this, so it goes without the id header.
                Err(err) => log_access(
                    &context,
                    &query,
                    err.as_response_error().status_code(),
                    started,
                    0,
                ),
            }
            response.map(|mut response| {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(REQUEST_ID_HEADER), header);
                response
            })
        })
        .await
}

/// The access-log line (target `access`), written in the request's scope so it carries the
/// request's fields.
fn log_access(
    context: &RequestContext,
    query: &str,
    status: StatusCode,
    started: Instant,
    bytes: u64,
) {
    if !log::log_enabled!(target: "access", log::Level::Info) {
        return;
    }
    let status = status.as_u16();
    let duration_ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
    let separator = if query.is_empty() { "" } else { "?" };
    log::info!(
        target: "access",
        status,
        duration_ms,
        bytes;
        "{} {}{separator}{query} {status}",
        context.method,
        context.path,
    );
}
