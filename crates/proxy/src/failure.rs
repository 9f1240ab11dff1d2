//! What a request that failed on its way through the proxy becomes: its status and the reply
//! the client gets (pure, so every case is tested here rather than staged).

use pingora::{Error, ErrorSource, ErrorType};

use shared::request::RequestId;

use crate::reply::Reply;
use crate::routing::Route;

/// The status for a failed request; 0 means the client is gone and nothing can be sent.
pub fn status(e: &Error) -> u16 {
    status_for(e.etype(), e.esource())
}

fn status_for(etype: &ErrorType, source: &ErrorSource) -> u16 {
    match etype {
        ErrorType::HTTPStatus(code) => *code,
        _ if source == &ErrorSource::Upstream && is_timeout(etype) => 504,
        _ => match source {
            ErrorSource::Upstream => 502,
            ErrorSource::Downstream => match etype {
                ErrorType::WriteError | ErrorType::ReadError | ErrorType::ConnectionClosed => 0,
                _ => 400,
            },
            ErrorSource::Internal | ErrorSource::Unset => 500,
        },
    }
}

/// Whether the upstream went silent (as opposed to refusing or dropping the connection).
pub fn is_upstream_timeout(e: &Error) -> bool {
    is_timeout(e.etype())
}

fn is_timeout(etype: &ErrorType) -> bool {
    matches!(etype, ErrorType::ReadTimedout | ErrorType::WriteTimedout)
}

/// The reply for a failure with `status` (not 0): JSON on API paths and for every 5xx (which
/// names the request); on static paths, a plain-text error that looks like the static
/// server's own.
pub fn reply(status: u16, route: Route, request_id: Option<&RequestId>) -> pingora::Result<Reply> {
    if status >= 500 {
        Reply::server_error(status, request_id)
    } else if route == Route::Api {
        Reply::proxy_error(status)
    } else {
        Reply::status_text(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCES: [ErrorSource; 4] = [
        ErrorSource::Upstream,
        ErrorSource::Downstream,
        ErrorSource::Internal,
        ErrorSource::Unset,
    ];

    #[test]
    fn a_status_error_keeps_its_status_whatever_its_source() {
        for source in &SOURCES {
            for code in [400, 413, 502, 503] {
                assert_eq!(status_for(&ErrorType::HTTPStatus(code), source), code);
            }
        }
    }

    #[test]
    fn a_silent_upstream_is_a_504_and_a_failed_one_a_502() {
        let upstream = &ErrorSource::Upstream;
        assert_eq!(status_for(&ErrorType::ReadTimedout, upstream), 504);
        assert_eq!(status_for(&ErrorType::WriteTimedout, upstream), 504);
        for etype in [
            ErrorType::ConnectRefused,
            ErrorType::ConnectTimedout,
            ErrorType::ConnectionClosed,
            ErrorType::ReadError,
            ErrorType::WriteError,
            ErrorType::InvalidHTTPHeader,
        ] {
            assert_eq!(status_for(&etype, upstream), 502, "{etype:?}");
        }
    }

    #[test]
    fn a_client_that_is_gone_gets_nothing_and_a_bad_request_a_400() {
        let downstream = &ErrorSource::Downstream;
        for etype in [
            ErrorType::WriteError,
            ErrorType::ReadError,
            ErrorType::ConnectionClosed,
        ] {
            assert_eq!(status_for(&etype, downstream), 0, "{etype:?}");
        }
        for etype in [
            ErrorType::InvalidHTTPHeader,
            ErrorType::ReadTimedout,
            ErrorType::WriteTimedout,
            ErrorType::H2Error,
        ] {
            assert_eq!(status_for(&etype, downstream), 400, "{etype:?}");
        }
    }

    #[test]
    fn the_proxys_own_failures_are_a_500() {
        for source in [&ErrorSource::Internal, &ErrorSource::Unset] {
            for etype in [
                ErrorType::InternalError,
                ErrorType::FileReadError,
                ErrorType::ReadTimedout,
                ErrorType::ConnectionClosed,
            ] {
                assert_eq!(status_for(&etype, source), 500, "{etype:?}");
            }
        }
    }

    #[test]
    fn api_paths_and_server_errors_get_json_and_static_paths_text() {
        let content_type = |reply: Reply| {
            reply.header.headers["content-type"]
                .to_str()
                .unwrap()
                .to_owned()
        };
        let json = "application/json";
        let text = "text/plain; charset=utf-8";
        assert_eq!(content_type(reply(400, Route::Api, None).unwrap()), json);
        assert_eq!(content_type(reply(502, Route::Static, None).unwrap()), json);
        assert_eq!(content_type(reply(500, Route::Health, None).unwrap()), json);
        assert_eq!(content_type(reply(400, Route::Static, None).unwrap()), text);
        assert_eq!(content_type(reply(413, Route::Health, None).unwrap()), text);
    }
}
