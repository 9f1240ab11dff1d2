//! Who the client is on the network, by the one rule both services share
//! (`shared::client_ip`): `X-Forwarded-For`, `Forwarded` and `X-Real-IP` are believed only when
//! the TCP peer is one of the configured proxies (`API_TRUSTED_PROXIES`); from anyone else they
//! are the client's own words and ignored, so a client cannot pick the address the access log
//! records or the login throttle counts. This is the adapter from actix's headers.

use std::future::{ready, Ready};
use std::net::IpAddr;

use actix_web::http::header::HeaderMap;
use actix_web::{dev, web, FromRequest, HttpRequest};
use shared::client_ip::Forwarding;
pub use shared::client_ip::TrustedProxies;

use crate::error::ApiError;

/// The forwarding headers of `headers`, as the shared rule reads them.
fn forwarding(headers: &HeaderMap) -> Forwarding<'_> {
    let lines = |name: &str| -> Vec<&str> {
        headers
            .get_all(name)
            .filter_map(|value| value.to_str().ok())
            .collect()
    };
    Forwarding {
        x_forwarded_for: lines("x-forwarded-for"),
        forwarded: lines("forwarded"),
        x_real_ip: headers
            .get("x-real-ip")
            .and_then(|value| value.to_str().ok()),
    }
}

/// The calling client's address, as the shared rule decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The client of `req` (the extractor, and the access log, use this).
    pub fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        let trusted = req
            .app_data::<web::Data<TrustedProxies>>()
            .ok_or_else(|| ApiError::internal("TrustedProxies is not registered"))?;
        let peer = req
            .peer_addr()
            .ok_or_else(|| ApiError::internal("the request has no peer address"))?;
        Ok(Self(
            trusted.client(peer.ip(), &forwarding(req.headers())).ip,
        ))
    }
}

impl FromRequest for ClientIp {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut dev::Payload) -> Self::Future {
        ready(Self::of(req))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    #[test]
    fn the_adapter_hands_every_forwarding_header_to_the_rule() {
        let mut map = HeaderMap::new();
        for (name, value) in [
            ("x-forwarded-for", "6.6.6.6, 1.2.3.4"),
            ("x-forwarded-for", "10.1.2.3"),
            ("forwarded", "for=5.5.5.5"),
            ("x-real-ip", "7.7.7.7"),
        ] {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        assert_eq!(
            forwarding(&map),
            Forwarding {
                x_forwarded_for: vec!["6.6.6.6, 1.2.3.4", "10.1.2.3"],
                forwarded: vec!["for=5.5.5.5"],
                x_real_ip: Some("7.7.7.7"),
            }
        );
        let trusted: TrustedProxies = "127.0.0.1, 10.0.0.0/8".parse().unwrap();
        let peer: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            trusted.client(peer, &forwarding(&map)).ip,
            "1.2.3.4".parse::<IpAddr>().unwrap()
        );
    }
}
