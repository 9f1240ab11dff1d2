//! Responses the proxy writes itself: plain static errors, JSON errors for API paths, and
//! the security headers every static response carries.

use bytes::Bytes;
use pingora::http::ResponseHeader;
use pingora::proxy::Session;
use shared::wire::ErrorBody;

use crate::static_files::{Body, StaticResponse};

pub fn security_headers(header: &mut ResponseHeader) -> pingora::Result<()> {
    header.insert_header("X-Content-Type-Options", "nosniff")?;
    header.insert_header("X-Frame-Options", "DENY")?;
    header.insert_header("Content-Security-Policy", "frame-ancestors 'none'")?;
    header.insert_header("Referrer-Policy", "strict-origin-when-cross-origin")?;
    Ok(())
}

/// A short plain-text response (static-path errors).
pub fn text_response(status: u16, text: &'static str) -> pingora::Result<StaticResponse> {
    text_body(status, Bytes::from_static(text.as_bytes()))
}

/// A plain-text response of computed text (ACME challenge answers).
pub fn text_response_owned(status: u16, text: String) -> pingora::Result<StaticResponse> {
    text_body(status, Bytes::from(text))
}

fn text_body(status: u16, text: Bytes) -> pingora::Result<StaticResponse> {
    let mut header = ResponseHeader::build(status, Some(6))?;
    header.insert_header("Content-Type", "text/plain; charset=utf-8")?;
    header.insert_header("Content-Length", text.len().to_string())?;
    header.insert_header("Cache-Control", "no-store")?;
    security_headers(&mut header)?;
    Ok(StaticResponse {
        header,
        body: Body::Bytes(text),
    })
}

/// Writes a JSON body (`{"detail", "code"}` or any other value) with `status`.
pub async fn write_json(
    session: &mut Session,
    status: u16,
    body: &impl serde::Serialize,
    hsts: Option<&str>,
) -> pingora::Result<()> {
    let body = Bytes::from(serde_json::to_vec(body).unwrap_or_default());
    let mut header = ResponseHeader::build(status, Some(5))?;
    header.insert_header("Content-Type", "application/json")?;
    header.insert_header("Content-Length", body.len().to_string())?;
    header.insert_header("Cache-Control", "no-store")?;
    header.insert_header("X-Content-Type-Options", "nosniff")?;
    if let Some(hsts) = hsts {
        header.insert_header("Strict-Transport-Security", hsts)?;
    }
    let head = session.req_header().method == pingora::http::Method::HEAD;
    session
        .write_response_header(Box::new(header), head)
        .await?;
    if !head {
        session.write_response_body(Some(body), true).await?;
    }
    Ok(())
}

/// The JSON error body for a status the proxy produces on API paths.
pub fn proxy_error(status: u16) -> ErrorBody {
    match status {
        502 => ErrorBody::new(
            "No healthy upstream server could take the request.",
            "bad_gateway",
        ),
        504 => ErrorBody::new(
            "The upstream server did not answer in time.",
            "gateway_timeout",
        ),
        413 => ErrorBody::new("Request body is too large.", "payload_too_large"),
        431 => ErrorBody::new(
            "Request headers are too large.",
            "request_header_fields_too_large",
        ),
        400 => ErrorBody::new("The request could not be read.", "bad_request"),
        _ => ErrorBody::new("The proxy could not complete the request.", "proxy_error"),
    }
}
