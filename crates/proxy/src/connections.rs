//! What one client connection may hold, so that slow or greedy clients cannot exhaust the
//! proxy: caps on the connections open at once, in total and per client address, checked at
//! accept (before any TLS handshake) through pingora's connection filter; and the bounds
//! pingora applies to every connection's requests: header size and time, idle timeouts.
//! The header bounds rely on the vendored pingora-core (`vendor/README.md`).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use pingora::apps::HttpServerOptions;
use pingora::listeners::tls::TlsSettings;
use pingora::listeners::{ConnectionFilter, L4BufferSettings, ListenerConfig};
use pingora::protocols::http::v2::server::{default_h2_options, H2Options};

use crate::client_ip::{limit_key, TrustedProxies};

/// At most one warning about refused connections per this interval, however many there are.
const WARN_EVERY: Duration = Duration::from_secs(10);

/// The read buffer of a TLS connection's socket: one TLS record. OpenSSL reads a record's
/// header, then its body, so this saves a syscall per record.
const TLS_READ_BUFFER: usize = 16 * 1024;

/// The listening endpoint at `address`, with `tls` for HTTPS. pingora puts a read buffer in
/// front of every accepted socket, 64 KiB by default, allocated and zeroed at accept: resident
/// for every connection however idle, the largest part of what a slow client costs. Plain
/// HTTP goes without one (pingora reads headers and bodies into buffers of its own); TLS keeps
/// one record's worth.
pub fn endpoint(address: SocketAddr, tls: Option<TlsSettings>) -> ListenerConfig {
    let endpoint = ListenerConfig::tcp(address.to_string());
    match tls {
        None => endpoint.l4_buffer(L4BufferSettings::default().read(0)),
        Some(tls) => endpoint
            .tls(tls)
            .l4_buffer(L4BufferSettings::default().read(TLS_READ_BUFFER)),
    }
}

/// The connection settings (part of the parsed configuration).
#[derive(Debug, Clone)]
pub struct ConnectionSettings {
    /// Most connections open at once; `None`: no cap.
    pub max_total: Option<usize>,
    /// Most connections open at once from one client address (an IPv6 /64); trusted proxies
    /// are exempt. `None`: no cap.
    pub max_per_ip: Option<usize>,
    /// Largest request header, request line included (431 beyond, while it is read).
    pub max_header_bytes: usize,
    /// How long a request header may take from its first byte (408 after), and how long a new
    /// connection may wait before sending one.
    pub header_timeout: Duration,
    /// How long an idle keep-alive connection stays open; `None`: no keep-alive.
    pub keepalive: Option<Duration>,
    /// How long a client may stay silent in the middle of a request.
    pub client_timeout: Duration,
}

impl ConnectionSettings {
    /// pingora's HTTP/1 and HTTP/2 options for these settings.
    pub fn http_options(&self) -> (HttpServerOptions, H2Options) {
        let mut http = HttpServerOptions::default();
        http.h1_max_header_size = Some(self.max_header_bytes);
        http.h1_header_timeout = Some(self.header_timeout);
        // HTTP/2 has no keep-alive to turn off: without one, an idle connection gets the
        // client timeout.
        http.h2_idle_timeout = Some(self.keepalive.unwrap_or(self.client_timeout));
        let mut h2 = default_h2_options();
        // h2 answers a larger header list with 431 itself.
        h2.max_header_list_size(u32::try_from(self.max_header_bytes).unwrap_or(u32::MAX));
        (http, h2)
    }
}

/// The open connections, counted against the caps; one for all listeners.
#[derive(Debug)]
pub struct ConnectionLimits {
    max_total: Option<usize>,
    max_per_ip: Option<usize>,
    trusted: TrustedProxies,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    /// Per limit key; only keys with open connections, so at most `total` entries.
    per_ip: HashMap<IpAddr, usize>,
    refused: u64,
    warned: Option<Instant>,
}

impl ConnectionLimits {
    pub fn new(settings: &ConnectionSettings, trusted: TrustedProxies) -> Self {
        Self {
            max_total: settings.max_total,
            max_per_ip: settings.max_per_ip,
            trusted,
            open: Mutex::new(Open::default()),
        }
    }

    /// The key a connection from `peer` counts under, if it is capped per address.
    fn per_ip_key(&self, peer: IpAddr) -> Option<IpAddr> {
        let peer = peer.to_canonical();
        let capped = self.max_per_ip.is_some() && !self.trusted.trusts(peer);
        capped.then(|| limit_key(peer))
    }

    /// Counts a new connection from `peer` in, unless it would pass a cap.
    pub fn admit(&self, peer: Option<IpAddr>) -> bool {
        let key = peer.and_then(|peer| self.per_ip_key(peer));
        let mut open = self.open.lock().expect("connection counts");
        let over_total = self.max_total.is_some_and(|max| open.total >= max);
        let over_ip = key.is_some_and(|key| {
            let from_key = open.per_ip.get(&key).copied().unwrap_or(0);
            self.max_per_ip.is_some_and(|max| from_key >= max)
        });
        if over_total || over_ip {
            open.refused += 1;
            let now = Instant::now();
            if open.warned.is_none_or(|at| now - at >= WARN_EVERY) {
                log::warn!(
                    "refused {} connection(s) over the caps (PROXY_MAX_CONNECTIONS {:?}, \
                     PROXY_MAX_CONNECTIONS_PER_IP {:?}), the last from {}",
                    open.refused,
                    self.max_total,
                    self.max_per_ip,
                    peer.map_or_else(|| "-".to_owned(), |peer| peer.to_string()),
                );
                open.refused = 0;
                open.warned = Some(now);
            }
            return false;
        }
        open.total += 1;
        if let Some(key) = key {
            *open.per_ip.entry(key).or_default() += 1;
        }
        true
    }

    /// Connections open now (for the metrics).
    pub fn open(&self) -> usize {
        self.open.lock().expect("connection counts").total
    }

    /// Counts an admitted connection from `peer` out.
    pub fn release(&self, peer: Option<IpAddr>) {
        let key = peer.and_then(|peer| self.per_ip_key(peer));
        let mut open = self.open.lock().expect("connection counts");
        open.total = open.total.saturating_sub(1);
        if let Some(key) = key {
            if let Some(count) = open.per_ip.get_mut(&key) {
                *count -= 1;
                if *count == 0 {
                    open.per_ip.remove(&key);
                }
            }
        }
    }
}

#[async_trait]
impl ConnectionFilter for ConnectionLimits {
    async fn should_accept(&self, addr: Option<&SocketAddr>) -> bool {
        self.admit(addr.map(SocketAddr::ip))
    }

    fn connection_closed(&self, addr: Option<&SocketAddr>) {
        self.release(addr.map(SocketAddr::ip));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(
        max_total: Option<usize>,
        max_per_ip: Option<usize>,
        trusted: &str,
    ) -> ConnectionLimits {
        let settings = ConnectionSettings {
            max_total,
            max_per_ip,
            max_header_bytes: 1024,
            header_timeout: Duration::from_secs(1),
            keepalive: None,
            client_timeout: Duration::from_secs(1),
        };
        ConnectionLimits::new(&settings, trusted.parse::<TrustedProxies>().unwrap())
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn each_address_gets_its_share_and_closing_frees_it() {
        let limits = limits(None, Some(2), "");
        assert!(limits.admit(ip("192.0.2.1")));
        assert!(limits.admit(ip("192.0.2.1")));
        assert!(!limits.admit(ip("192.0.2.1")));
        assert!(limits.admit(ip("192.0.2.2")), "another address");
        limits.release(ip("192.0.2.1"));
        assert!(limits.admit(ip("192.0.2.1")));
        assert!(limits.admit(ip("2001:db8::1")));
        assert!(limits.admit(ip("2001:db8::2")));
        assert!(!limits.admit(ip("2001:db8::3")), "one /64 is one address");
    }

    #[test]
    fn the_total_caps_everyone_and_trusted_proxies_only_count_in_it() {
        let limits = limits(Some(3), Some(1), "10.0.0.0/8");
        assert!(limits.admit(ip("10.0.0.1")));
        assert!(limits.admit(ip("10.0.0.1")), "a trusted proxy has no share");
        assert!(limits.admit(ip("192.0.2.1")));
        assert!(!limits.admit(ip("192.0.2.2")), "the total is reached");
        limits.release(ip("10.0.0.1"));
        assert!(limits.admit(ip("192.0.2.2")));
        assert_eq!(limits.open.lock().unwrap().per_ip.len(), 2);
        limits.release(ip("192.0.2.1"));
        limits.release(ip("192.0.2.2"));
        assert!(
            limits.open.lock().unwrap().per_ip.is_empty(),
            "no leftovers"
        );
    }

    #[test]
    fn without_caps_everything_is_admitted() {
        let limits = limits(None, None, "");
        for _ in 0..10_000 {
            assert!(limits.admit(ip("192.0.2.1")));
        }
        assert!(limits.open.lock().unwrap().per_ip.is_empty());
    }
}
