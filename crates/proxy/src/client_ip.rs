//! Who a request is from, by the one rule both services share (`shared::client_ip`): the TCP
//! peer, unless that peer is a trusted proxy (a load balancer in `PROXY_TRUSTED_PROXIES`),
//! whose forwarding headers then name the client. The access log, the rate limits and the
//! headers the upstream gets all use this one answer, so a client cannot choose the address it
//! is counted or logged under. This is the adapter from pingora's request header.

use std::net::IpAddr;

use pingora::http::RequestHeader;
pub use shared::client_ip::{limit_key, Client, NetworkError, TrustedProxies};
use shared::client_ip::{list_elements, Forwarding};

/// `PROXY_TRUSTED_PROXIES` (comma-separated networks and addresses); with `every_peer`
/// (`PROXY_TRUST_FORWARDED`) every peer is believed for the hop it adds itself.
pub fn trusted_proxies(raw: &str, every_peer: bool) -> Result<TrustedProxies, NetworkError> {
    let trusted: TrustedProxies = raw.parse()?;
    Ok(if every_peer {
        trusted.trusting_every_peer()
    } else {
        trusted
    })
}

fn lines<'a>(req: &'a RequestHeader, name: &str) -> Vec<&'a str> {
    req.headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect()
}

/// Who `req`, which arrived from `peer`, is from.
pub fn client_of(trusted: &TrustedProxies, peer: IpAddr, req: &RequestHeader) -> Client {
    let forwarding = Forwarding {
        x_forwarded_for: lines(req, "x-forwarded-for"),
        forwarded: lines(req, "forwarded"),
        x_real_ip: req
            .headers
            .get("x-real-ip")
            .and_then(|value| value.to_str().ok()),
    };
    trusted.client(peer, &forwarding)
}

/// The `X-Forwarded-For` entries of every such header line, left to right, empty ones left out
/// (the chain the proxy passes on, with the peer appended).
pub fn forwarded_for(req: &RequestHeader) -> Vec<&str> {
    let lines = lines(req, "x-forwarded-for");
    list_elements(&lines).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> RequestHeader {
        let mut req = RequestHeader::build("GET", b"/api/x", None).unwrap();
        for (name, value) in headers {
            req.append_header(name.to_string(), *value).unwrap();
        }
        req
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_adapter_hands_every_forwarding_header_to_the_rule() {
        let trusted = trusted_proxies("10.0.0.0/8", false).unwrap();
        let peer = ip("10.0.0.2");
        let chain = request(&[
            ("X-Forwarded-For", "6.6.6.6, 198.51.100.1"),
            ("X-Forwarded-For", "10.9.9.9"),
        ]);
        assert_eq!(client_of(&trusted, peer, &chain).ip, ip("198.51.100.1"));
        let forwarded = request(&[("Forwarded", "for=198.51.100.4")]);
        assert_eq!(client_of(&trusted, peer, &forwarded).ip, ip("198.51.100.4"));
        let real = request(&[("X-Real-IP", "198.51.100.5")]);
        assert_eq!(client_of(&trusted, peer, &real).ip, ip("198.51.100.5"));
        let untrusted = client_of(&trusted, ip("203.0.113.5"), &chain);
        assert_eq!(
            (untrusted.ip, untrusted.peer_trusted),
            (ip("203.0.113.5"), false)
        );
    }

    #[test]
    fn trusting_every_peer_believes_only_the_hop_it_added() {
        let every = trusted_proxies("", true).unwrap();
        let client = client_of(
            &every,
            ip("172.16.0.9"),
            &request(&[("X-Forwarded-For", "6.6.6.6, 198.51.100.1")]),
        );
        assert_eq!(client.ip, ip("198.51.100.1"));
        assert!(client.peer_trusted);
    }

    #[test]
    fn the_chain_passed_on_leaves_out_empty_elements() {
        let req = request(&[
            ("X-Forwarded-For", "1.2.3.4, , 5.6.7.8,"),
            ("X-Forwarded-For", "9.9.9.9"),
        ]);
        assert_eq!(forwarded_for(&req), ["1.2.3.4", "5.6.7.8", "9.9.9.9"]);
    }

    #[test]
    fn bad_networks_are_named() {
        let err = trusted_proxies("10.0.0.0/33", false).unwrap_err();
        assert!(err.to_string().contains("10.0.0.0/33"), "{err}");
    }
}
