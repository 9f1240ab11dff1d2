//! Who a request is from: the one rule both services follow, so the api's access log and login
//! throttle and the proxy's limits, logs and forwarded headers never disagree about a client.
//!
//! - The **TCP peer** is the client, unless it is a trusted proxy (in the configured list, or
//!   every peer when the operator says so for the hop it adds itself).
//! - From a trusted peer, `X-Forwarded-For` names the client: every proxy appends the address
//!   it saw, so the client is the **right-most hop that is not itself a listed proxy**; hops
//!   further left are the client's own word. Several header lines are one chain, and empty list
//!   elements are ignored (RFC 9110 §5.6.1). A hop that is not an address (`unknown`, garbage)
//!   stops the walk: nothing to its left can be believed.
//! - Without `X-Forwarded-For`, the same walk over `Forwarded`'s `for=` parameters (RFC 7239,
//!   where `unknown` and obfuscated `_names` stop the walk too); without either, `X-Real-IP`.
//! - An address may carry a port (`1.2.3.4:5678`, `[2001:db8::1]:443`); IPv4-mapped IPv6
//!   addresses are plain IPv4.
//! - Limits count an address by [`limit_key`]: IPv4 one by one, IPv6 by its /64.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use ipnet::IpNet;

/// The peers whose forwarded headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    networks: Vec<IpNet>,
    /// Every peer is believed, but only for the hop it added itself.
    every_peer: bool,
}

/// An item of a trusted-proxy list that is neither an address nor a network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an IP address or network (e.g. 10.0.0.0/16)")]
pub struct NetworkError(pub String);

/// The forwarding headers of a request, as text: each service's adapter collects them from its
/// own header type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forwarding<'a> {
    /// Every `X-Forwarded-For` line, in order.
    pub x_forwarded_for: Vec<&'a str>,
    /// Every `Forwarded` line, in order.
    pub forwarded: Vec<&'a str>,
    /// The first `X-Real-IP`.
    pub x_real_ip: Option<&'a str>,
}

/// Where a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    /// The client's address: the peer's, or the one a trusted peer forwarded.
    pub ip: IpAddr,
    /// The address of the TCP connection.
    pub peer: IpAddr,
    /// Whether the peer is a trusted proxy, so its forwarded headers are believed.
    pub peer_trusted: bool,
}

impl FromStr for TrustedProxies {
    type Err = NetworkError;

    /// A comma-separated list of networks (`10.0.0.0/16`) and addresses (`127.0.0.1`); empty
    /// trusts nobody.
    fn from_str(raw: &str) -> Result<Self, NetworkError> {
        let networks = raw
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| NetworkError(item.to_owned()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            networks,
            every_peer: false,
        })
    }
}

impl TrustedProxies {
    /// Believes every peer, for the one hop it adds itself (a load balancer whose address is
    /// not known in advance).
    pub fn trusting_every_peer(mut self) -> Self {
        self.every_peer = true;
        self
    }

    /// Whether `peer`'s forwarded headers are believed.
    pub fn trusts(&self, peer: IpAddr) -> bool {
        self.every_peer || self.is_listed(peer)
    }

    fn is_listed(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|network| network.contains(&ip))
    }

    /// Who a request that arrived from `peer` with `headers` is from.
    pub fn client(&self, peer: IpAddr, headers: &Forwarding) -> Client {
        let peer = peer.to_canonical();
        let peer_trusted = self.trusts(peer);
        let mut ip = peer;
        if peer_trusted {
            let chain: Vec<&str> = if !headers.x_forwarded_for.is_empty() {
                list_elements(&headers.x_forwarded_for).collect()
            } else {
                list_elements(&headers.forwarded)
                    .filter_map(forwarded_for)
                    .collect()
            };
            if chain.is_empty() {
                if let Some(real) = headers.x_real_ip.and_then(parse_address) {
                    ip = real;
                }
            }
            for hop in chain.iter().rev() {
                let Some(hop) = parse_address(hop) else { break };
                ip = hop;
                if !self.is_listed(hop) {
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
    match ip.to_canonical() {
        IpAddr::V6(ip) => IpAddr::V6(Ipv6Addr::from_bits(ip.to_bits() & !(u128::MAX >> 64))),
        ip => ip,
    }
}

/// The non-empty elements of comma-separated header lines, trimmed, left to right.
pub fn list_elements<'s, 'a>(
    lines: &'s [&'a str],
) -> impl DoubleEndedIterator<Item = &'a str> + 's {
    lines
        .iter()
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .filter(|element| !element.is_empty())
}

/// The `for=` value of one `Forwarded` element (`for=192.0.2.60;proto=http`), unquoted; an
/// element without one is not a hop.
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// An address as proxies write it: bare, with a port, or bracketed IPv6 with or without one.
fn parse_address(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim();
    raw.parse::<IpAddr>()
        .or_else(|_| raw.parse::<SocketAddr>().map(|addr| addr.ip()))
        .or_else(|_| {
            raw.strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .ok_or(())
                .and_then(|inner| inner.parse::<IpAddr>().map_err(|_| ()))
        })
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn xff<'a>(lines: &[&'a str]) -> Forwarding<'a> {
        Forwarding {
            x_forwarded_for: lines.to_vec(),
            ..Forwarding::default()
        }
    }

    /// (trusted list, peer, headers, the client it names, why)
    #[test]
    fn every_case_of_the_rule() {
        let behind: TrustedProxies = "127.0.0.1, 10.0.0.0/8, 192.0.2.7".parse().unwrap();
        let cases: Vec<(&TrustedProxies, &str, Forwarding, &str, &str)> = vec![
            (
                &behind,
                "203.0.113.5",
                xff(&["1.2.3.4"]),
                "203.0.113.5",
                "an untrusted peer is the client",
            ),
            (
                &behind,
                "10.0.0.2",
                xff(&["198.51.100.1"]),
                "198.51.100.1",
                "one hop",
            ),
            (
                &behind,
                "10.0.0.2",
                xff(&["6.6.6.6, 198.51.100.1, 192.0.2.7"]),
                "198.51.100.1",
                "a spoofed left part is skipped, a listed proxy passed",
            ),
            (
                &behind,
                "10.0.0.2",
                xff(&["6.6.6.6", "198.51.100.1, 10.9.9.9"]),
                "198.51.100.1",
                "several lines are one chain",
            ),
            (
                &behind,
                "10.0.0.2",
                xff(&["198.51.100.1, , 10.9.9.9"]),
                "198.51.100.1",
                "an empty element is ignored (the proxy's old rule)",
            ),
            (
                &behind,
                "10.0.0.2",
                xff(&["198.51.100.1,"]),
                "198.51.100.1",
                "a trailing comma is an empty element",
            ),
            (
                &behind,
                "10.0.0.2",
                xff(&["1.2.3.4, nonsense, 10.0.0.1"]),
                "10.0.0.1",
                "garbage stops the walk at the last believed hop",
            ),
            (
                &behind,
                "10.0.0.2",
                xff(&["unknown"]),
                "10.0.0.2",
                "an unreadable first hop: the peer",
            ),
            (
                &behind,
                "10.0.0.2",
                xff(&["198.51.100.1:4711"]),
                "198.51.100.1",
                "IPv4 with a port",
            ),
            (
                &behind,
                "10.0.0.2",
                xff(&["[2001:db8::1]:443"]),
                "2001:db8::1",
                "IPv6 with a port",
            ),
            (
                &behind,
                "10.0.0.2",
                xff(&["[2001:db8::1]"]),
                "2001:db8::1",
                "bracketed IPv6",
            ),
            (
                &behind,
                "10.0.0.2",
                xff(&["::ffff:1.2.3.4"]),
                "1.2.3.4",
                "a mapped address is IPv4",
            ),
            (
                &behind,
                "::ffff:127.0.0.1",
                xff(&["198.51.100.1"]),
                "198.51.100.1",
                "a mapped peer is IPv4 and trusted",
            ),
            (
                &behind,
                "10.0.0.2",
                xff(&["10.1.1.1, 10.2.2.2"]),
                "10.1.1.1",
                "all listed: the left-most",
            ),
            (
                &behind,
                "10.0.0.2",
                xff(&[]),
                "10.0.0.2",
                "no headers: the peer",
            ),
            (
                &behind,
                "10.0.0.2",
                Forwarding {
                    x_real_ip: Some("198.51.100.2"),
                    ..Forwarding::default()
                },
                "198.51.100.2",
                "X-Real-IP without X-Forwarded-For (the api's old rule)",
            ),
            (
                &behind,
                "10.0.0.2",
                Forwarding {
                    x_forwarded_for: vec!["198.51.100.1"],
                    x_real_ip: Some("6.6.6.6"),
                    ..Forwarding::default()
                },
                "198.51.100.1",
                "X-Forwarded-For comes first",
            ),
            (
                &behind,
                "203.0.113.9",
                Forwarding {
                    x_real_ip: Some("198.51.100.2"),
                    ..Forwarding::default()
                },
                "203.0.113.9",
                "an untrusted peer's X-Real-IP is ignored",
            ),
            (
                &behind,
                "10.0.0.2",
                Forwarding {
                    forwarded: vec!["for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https"],
                    ..Forwarding::default()
                },
                "2001:db8:cafe::17",
                "Forwarded: quoted, bracketed, with a port",
            ),
            (
                &behind,
                "10.0.0.2",
                Forwarding {
                    forwarded: vec!["For=198.51.100.3;by=10.0.0.2", "for=192.0.2.7"],
                    ..Forwarding::default()
                },
                "198.51.100.3",
                "Forwarded: any case, several lines, a listed proxy passed",
            ),
            (
                &behind,
                "10.0.0.2",
                Forwarding {
                    forwarded: vec!["for=198.51.100.3, for=_hidden"],
                    ..Forwarding::default()
                },
                "10.0.0.2",
                "an obfuscated identifier stops the walk",
            ),
            (
                &behind,
                "10.0.0.2",
                Forwarding {
                    forwarded: vec!["for=unknown"],
                    x_real_ip: Some("198.51.100.2"),
                    ..Forwarding::default()
                },
                "10.0.0.2",
                "Forwarded present: X-Real-IP is not asked",
            ),
        ];
        for (trusted, peer, headers, want, why) in cases {
            assert_eq!(trusted.client(ip(peer), &headers).ip, ip(want), "{why}");
        }
    }

    #[test]
    fn trusting_every_peer_believes_only_the_hop_it_added() {
        let every = TrustedProxies::default().trusting_every_peer();
        let client = every.client(ip("172.16.0.9"), &xff(&["6.6.6.6, 198.51.100.1"]));
        assert_eq!(client.ip, ip("198.51.100.1"));
        assert!(client.peer_trusted);
        let nobody = TrustedProxies::default();
        let client = nobody.client(ip("127.0.0.1"), &xff(&["1.2.3.4"]));
        assert_eq!((client.ip, client.peer_trusted), (ip("127.0.0.1"), false));
    }

    #[test]
    fn lists_take_networks_and_addresses_and_name_the_rest() {
        assert_eq!(
            "".parse::<TrustedProxies>().unwrap(),
            TrustedProxies::default()
        );
        assert!(" 10.0.0.0/16 , fd00::/8, ::1,"
            .parse::<TrustedProxies>()
            .is_ok());
        for bad in ["10.0.0.0/33", "not-an-ip", "10.0.0/8", "localhost"] {
            let err = bad.parse::<TrustedProxies>().unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_slash_64() {
        let key = |text: &str| limit_key(ip(text));
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("2001:db8:1:2:3:4:5:6"), ip("2001:db8:1:2::"));
        assert_eq!(key("192.0.2.1"), ip("192.0.2.1"));
        assert_eq!(key("::ffff:192.0.2.1"), ip("192.0.2.1"));
    }
}
