//! Who the client is on the network. `X-Forwarded-For` and `X-Real-IP` are believed only when
//! the TCP peer is one of the configured proxies (`API_TRUSTED_PROXIES`); from anyone else
//! they are the client's own words and ignored, so a client cannot pick the address the
//! access log records or the login throttle counts.

use std::future::{ready, Ready};
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use actix_web::http::header::HeaderMap;
use actix_web::{dev, web, FromRequest, HttpRequest};
use ipnet::IpNet;

use crate::error::ApiError;

/// The networks whose forwarded headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list of CIDRs (`10.0.0.0/16`) or single addresses (`127.0.0.1`);
    /// empty trusts nobody.
    fn from_str(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{item:?} is not an IP address or CIDR network"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: the TCP peer, unless the peer is a trusted proxy. Then it is the
    /// right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries further
    /// left were written by whoever spoke to that hop, so they prove nothing), else
    /// `X-Real-IP`, else the peer.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        if forwarded.is_empty() {
            return headers
                .get("x-real-ip")
                .and_then(|value| value.to_str().ok())
                .and_then(parse_hop)
                .unwrap_or(peer);
        }
        let mut client = peer;
        for hop in forwarded.iter().rev() {
            // Garbage in the chain: nothing to its left can be believed either.
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// An address as proxies write it: bare, or with a port (`1.2.3.4:5678`, `[::1]:5678`).
fn parse_hop(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim();
    raw.parse::<IpAddr>()
        .or_else(|_| raw.parse::<SocketAddr>().map(|addr| addr.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// The calling client's address, as [`TrustedProxies::client_ip`] decides it.
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
        Ok(Self(trusted.client_ip(peer.ip(), req.headers())))
    }

    /// The key failed logins from this client are counted under: the address itself, or for
    /// IPv6 its /64 network, since one host usually has a whole /64 to pick addresses from.
    pub fn throttle_key(&self) -> String {
        match self.0 {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => IpNet::new(IpAddr::V6(ip), 64)
                .map(|net| net.trunc().to_string())
                .unwrap_or_else(|_| ip.to_string()),
        }
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

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let trusted: TrustedProxies = "127.0.0.1/32".parse().unwrap();
        let said = headers(&[("x-forwarded-for", "1.2.3.4"), ("x-real-ip", "5.6.7.8")]);
        assert_eq!(trusted.client_ip(ip("9.9.9.9"), &said), ip("9.9.9.9"));
        let nobody = TrustedProxies::default();
        assert_eq!(nobody.client_ip(ip("127.0.0.1"), &said), ip("127.0.0.1"));
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let trusted: TrustedProxies = "127.0.0.1, 10.0.0.0/8".parse().unwrap();
        let chain = headers(&[
            ("x-forwarded-for", "6.6.6.6, 1.2.3.4"),
            ("x-forwarded-for", "10.1.2.3"),
        ]);
        assert_eq!(trusted.client_ip(ip("127.0.0.1"), &chain), ip("1.2.3.4"));
        let real_ip = headers(&[("x-real-ip", "1.2.3.4")]);
        assert_eq!(trusted.client_ip(ip("127.0.0.1"), &real_ip), ip("1.2.3.4"));
        let garbage = headers(&[("x-forwarded-for", "1.2.3.4, nonsense, 10.0.0.1")]);
        assert_eq!(trusted.client_ip(ip("127.0.0.1"), &garbage), ip("10.0.0.1"));
        let ported = headers(&[("x-forwarded-for", "[2001:db8::1]:443")]);
        assert_eq!(
            trusted.client_ip(ip("::ffff:127.0.0.1"), &ported),
            ip("2001:db8::1")
        );
        assert_eq!(
            trusted.client_ip(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn lists_take_networks_and_addresses_and_refuse_the_rest() {
        assert!("".parse::<TrustedProxies>().unwrap().0.is_empty());
        assert_eq!(
            "::1, 10.0.0.0/8".parse::<TrustedProxies>().unwrap().0.len(),
            2
        );
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("localhost".parse::<TrustedProxies>().is_err());
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_network() {
        assert_eq!(
            ClientIp(ip("2001:db8:1:2:3:4:5:6")).throttle_key(),
            "2001:db8:1:2::/64"
        );
        assert_eq!(ClientIp(ip("192.0.2.7")).throttle_key(), "192.0.2.7");
    }
}
