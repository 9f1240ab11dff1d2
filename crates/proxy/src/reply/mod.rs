//! Everything the proxy answers itself, as one [`Reply`] value (a header and a [`Body`]), and
//! the one [`writer::ReplyWriter`] that sends it: static files, plain-text and JSON errors,
//! redirects, the health body and ACME challenge answers all leave the same way.

pub mod writer;

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use pingora::http::{ResponseHeader, StatusCode};
use shared::request::RequestId;
use shared::wire::ErrorBody;

/// What goes out after the header.
#[derive(Debug)]
pub enum Body {
    Empty,
    Bytes(Bytes),
    /// `len` bytes of the file at `path` from `start`, streamed in chunks.
    File {
        path: PathBuf,
        start: u64,
        len: u64,
    },
}

#[derive(Debug)]
pub struct Reply {
    pub header: ResponseHeader,
    pub body: Body,
}

impl Reply {
    /// A short plain-text reply with the static server's security headers (static-path
    /// errors, ACME challenge answers).
    pub fn text(status: u16, text: impl Into<Bytes>) -> pingora::Result<Self> {
        let text = text.into();
        let mut header = ResponseHeader::build(status, Some(6))?;
        header.insert_header("Content-Type", "text/plain; charset=utf-8")?;
        header.insert_header("Content-Length", text.len().to_string())?;
        header.insert_header("Cache-Control", "no-store")?;
        security_headers(&mut header)?;
        Ok(Self {
            header,
            body: Body::Bytes(text),
        })
    }

    /// The plain-text error for `status`: its reason phrase, as the static server writes it.
    pub fn status_text(status: u16) -> pingora::Result<Self> {
        let reason = StatusCode::from_u16(status)
            .ok()
            .and_then(|status| status.canonical_reason())
            .unwrap_or("Error");
        Self::text(status, format!("{reason}\n"))
    }

    /// A JSON body (`{"detail", "code"}` or any other value) with `status`.
    pub fn json(status: u16, body: &impl serde::Serialize) -> pingora::Result<Self> {
        let body = Bytes::from(serde_json::to_vec(body).unwrap_or_default());
        let mut header = ResponseHeader::build(status, Some(5))?;
        header.insert_header("Content-Type", "application/json")?;
        header.insert_header("Content-Length", body.len().to_string())?;
        header.insert_header("Cache-Control", "no-store")?;
        header.insert_header("X-Content-Type-Options", "nosniff")?;
        Ok(Self {
            header,
            body: Body::Bytes(body),
        })
    }

    /// The JSON error for a status the proxy produces itself (API paths, and any 5xx).
    pub fn proxy_error(status: u16) -> pingora::Result<Self> {
        Self::json(status, &proxy_error_body(status))
    }

    /// The JSON error for a server error (5xx) the proxy produces, naming the request for
    /// support.
    pub fn server_error(status: u16, request_id: Option<&RequestId>) -> pingora::Result<Self> {
        Self::json(status, &proxy_error_body(status).for_request(request_id))
    }

    /// 429 for a client over a rate limit, with `Retry-After` in whole seconds (at least 1):
    /// JSON on every path, as the api's own throttling answers.
    pub fn throttled(wait: Duration) -> pingora::Result<Self> {
        let secs = wait
            .as_secs()
            .saturating_add(u64::from(wait.subsec_nanos() > 0));
        let secs = secs.max(1);
        let unit = if secs == 1 { "second" } else { "seconds" };
        let body = ErrorBody::new(
            format!("Request was throttled. Expected available in {secs} {unit}."),
            "throttled",
        );
        let mut reply = Self::json(429, &body)?;
        reply
            .header
            .insert_header("Retry-After", secs.to_string())?;
        Ok(reply)
    }

    /// A permanent redirect that keeps the method (308).
    pub fn redirect(location: String) -> pingora::Result<Self> {
        let mut header = ResponseHeader::build(308, Some(4))?;
        header.insert_header("Location", location)?;
        header.insert_header("Content-Length", "0")?;
        header.insert_header("Cache-Control", "no-store")?;
        Ok(Self {
            header,
            body: Body::Empty,
        })
    }
}

/// The headers every static reply carries.
pub fn security_headers(header: &mut ResponseHeader) -> pingora::Result<()> {
    header.insert_header("X-Content-Type-Options", "nosniff")?;
    header.insert_header("X-Frame-Options", "DENY")?;
    header.insert_header("Content-Security-Policy", "frame-ancestors 'none'")?;
    header.insert_header("Referrer-Policy", "strict-origin-when-cross-origin")?;
    // The UI uses none of these; a script that got in could not ask for them either.
    header.insert_header(
        "Permissions-Policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
    )?;
    // No window this page opens (or that opens it) shares its browsing context group.
    header.insert_header("Cross-Origin-Opener-Policy", "same-origin")?;
    Ok(())
}

fn proxy_error_body(status: u16) -> ErrorBody {
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
        421 => ErrorBody::new(
            "This server does not serve that host name.",
            "misdirected_request",
        ),
        400 => ErrorBody::new("The request could not be read.", "bad_request"),
        _ => ErrorBody::new("The proxy could not complete the request.", "proxy_error"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttled_says_when_to_come_back_in_whole_seconds() {
        for (wait, secs) in [
            (Duration::from_millis(1), "1"),
            (Duration::ZERO, "1"),
            (Duration::from_millis(5_100), "6"),
            (Duration::from_secs(60), "60"),
        ] {
            let reply = Reply::throttled(wait).unwrap();
            assert_eq!(reply.header.status, 429);
            assert_eq!(reply.header.headers["retry-after"], secs, "{wait:?}");
            let Body::Bytes(body) = reply.body else {
                panic!("a JSON body")
            };
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body["code"], "throttled");
            assert!(body["detail"].as_str().unwrap().contains(secs));
        }
    }
}
