//! Who a request is from: the TCP peer, unless that peer is a trusted proxy (a load balancer in
//! `PROXY_TRUSTED_PROXIES`), whose `X-Forwarded-For` then names the client. The access log, the
//! rate limits and the headers the upstream gets all use this one answer, so a client cannot
//! choose the address it is counted or logged under.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use ipnet::IpNet;
use pingora::http::RequestHeader;

use crate::cli::comma_separated;

/// The peers whose forwarded headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    networks: Vec<IpNet>,
    /// `PROXY_TRUST_FORWARDED`: every peer is believed, but only for the hop it added itself.
    every_peer: bool,
}

/// An item of `PROXY_TRUSTED_PROXIES` that is neither an address nor a network.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not an IP address or network (e.g. 10.0.0.0/16)")]
pub struct NetworkError(String);

/// Where a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    /// The client's address: the peer's, or the one a trusted peer forwarded.
    pub ip: IpAddr,
    /// The address of the TCP connection.
    pub peer: IpAddr,
    /// Whether the peer is a trusted proxy, so its forwarded headers are passed on.
    pub peer_trusted: bool,
}

impl TrustedProxies {
    /// `raw` is the comma-separated `PROXY_TRUSTED_PROXIES`; `every_peer` is
    /// `PROXY_TRUST_FORWARDED`.
    pub fn parse(raw: &str, every_peer: bool) -> Result<Self, NetworkError> {
        let networks = comma_separated(raw)
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| NetworkError(item.to_owned()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            networks,
            every_peer,
        })
    }

    /// Whether `peer`'s forwarded headers are believed.
    pub fn trusts(&self, peer: IpAddr) -> bool {
        self.every_peer || self.is_listed(peer)
    }

    fn is_listed(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|network| network.contains(&ip))
    }

    /// Who `req`, which arrived from `peer`, is from. From a trusted peer, the client is the
    /// right-most address of the `X-Forwarded-For` chain that is not itself a listed proxy:
    /// every proxy appends the address it saw, so addresses left of the first untrusted one
    /// are the client's own word.
    pub fn client(&self, peer: IpAddr, req: &RequestHeader) -> Client {
        let peer = peer.to_canonical();
        let peer_trusted = self.trusts(peer);
        let mut ip = peer;
        if peer_trusted {
            for hop in forwarded_for(req).rev() {
                match parse_hop(hop) {
                    Some(hop) => ip = hop,
                    None => break,
                }
                if !self.is_listed(ip) {
                    break;
                }
            }
        }
        Client {
            ip,
            peer,
            peer_trusted,
        }
    }
}

/// The address limits count `ip` under: IPv4 addresses one by one, IPv6 ones by their /64
/// (one host's usual share, so a host cannot dodge a limit by changing its interface
/// identifier).
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(ip) => IpAddr::V6(Ipv6Addr::from_bits(ip.to_bits() & !(u128::MAX >> 64))),
        ip => ip,
    }
}

/// The `X-Forwarded-For` entries of every such header line, left to right.
pub fn forwarded_for(req: &RequestHeader) -> impl DoubleEndedIterator<Item = &str> {
    let lines: Vec<&str> = req
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    lines
        .into_iter()
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
}

/// An address as proxies write it: bare, or with a port (`[v6]:port` for IPv6).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|addr| addr.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(forwarded_for: &[&str]) -> RequestHeader {
        let mut req = RequestHeader::build("GET", b"/api/x", None).unwrap();
        for line in forwarded_for {
            req.append_header("X-Forwarded-For", *line).unwrap();
        }
        req
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let trusted = TrustedProxies::parse("10.0.0.0/8", false).unwrap();
        let client = trusted.client(ip("203.0.113.5"), &request(&["198.51.100.1"]));
        assert_eq!(
            client,
            Client {
                ip: ip("203.0.113.5"),
                peer: ip("203.0.113.5"),
                peer_trusted: false
            }
        );
        let nobody = TrustedProxies::default();
        assert_eq!(
            nobody.client(ip("127.0.0.1"), &request(&["1.2.3.4"])).ip,
            ip("127.0.0.1")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_client_is_the_right_most_untrusted_hop() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.0.2.7", false).unwrap();
        let peer = ip("10.0.0.2");
        let client = |chain: &[&str]| trusted.client(peer, &request(chain)).ip;
        assert_eq!(client(&["198.51.100.1"]), ip("198.51.100.1"));
        assert_eq!(
            client(&["6.6.6.6, 198.51.100.1, 192.0.2.7"]),
            ip("198.51.100.1"),
            "a spoofed left part is skipped, a listed proxy is passed"
        );
        assert_eq!(
            client(&["6.6.6.6", "198.51.100.1, 10.9.9.9"]),
            ip("198.51.100.1"),
            "several header lines are one chain"
        );
        assert_eq!(client(&["198.51.100.1:4711"]), ip("198.51.100.1"));
        assert_eq!(client(&["[2001:db8::1]:443"]), ip("2001:db8::1"));
        assert_eq!(client(&[]), peer, "no chain: the peer itself");
        assert_eq!(
            client(&["unknown"]),
            peer,
            "an unreadable hop stops the walk"
        );
        assert_eq!(
            client(&["10.1.1.1, 10.2.2.2"]),
            ip("10.1.1.1"),
            "all trusted: the left-most"
        );
        assert!(trusted.client(peer, &request(&[])).peer_trusted);
    }

    #[test]
    fn trusting_every_peer_believes_only_the_hop_it_added() {
        let every = TrustedProxies::parse("", true).unwrap();
        let client = every.client(ip("172.16.0.9"), &request(&["6.6.6.6, 198.51.100.1"]));
        assert_eq!(client.ip, ip("198.51.100.1"));
        assert!(client.peer_trusted);
    }

    #[test]
    fn ipv4_mapped_peers_are_plain_ipv4() {
        let trusted = TrustedProxies::parse("127.0.0.1", false).unwrap();
        let client = trusted.client(ip("::ffff:127.0.0.1"), &request(&["::ffff:1.2.3.4"]));
        assert_eq!(client.peer, ip("127.0.0.1"));
        assert_eq!(client.ip, ip("1.2.3.4"));
    }

    #[test]
    fn bad_networks_are_named() {
        for bad in ["10.0.0.0/33", "not-an-ip", "10.0.0/8"] {
            let err = TrustedProxies::parse(bad, false).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
        assert!(TrustedProxies::parse(" 10.0.0.0/16 , fd00::/8,", false).is_ok());
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_slash_64() {
        let key = |text: &str| limit_key(ip(text));
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("192.0.2.1"), ip("192.0.2.1"));
    }
}
