//! The proxy's Prometheus metrics, served in the text format by [`endpoint`] on a listener of
//! its own (`PROXY_METRICS_LISTEN`); the main listeners never serve them.
//!
//! One explicit registry, owned by [`ProxyMetrics`], rather than the `prometheus` crate's
//! global default: pingora's Prometheus service (the `pingora-prometheus` crate) can only
//! serve that global registry, and a service of our own is small and takes the same header,
//! time and connection bounds as the main listeners. An owned registry keeps what is exposed
//! to what this module registers, as the api does.
//!
//! The request path only bumps handles resolved once: per request class an array of
//! counters by status (filled on a status's first use) and a histogram, per static cache a
//! hit and a miss counter, per upstream address a histogram and a retry counter. What can be
//! read when scraped (open connections, upstream health, certificate expiry) is read then,
//! and costs the request path nothing.

pub mod endpoint;
mod requests;
mod upstreams;

use std::time::SystemTime;

use prometheus::{
    GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry,
};
use shared::metrics::register;

pub use requests::{RequestClass, RequestMetrics};
pub use upstreams::UpstreamMetrics;

use crate::connections::ConnectionLimits;
use crate::tls::{CertStore, HandshakeCounters};
use crate::upstreams::Upstreams;

/// Request latencies, in seconds: from a cached static file to a slow upstream.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Every metric of the proxy and the registry that serves them.
pub struct ProxyMetrics {
    registry: Registry,
    pub requests: RequestMetrics,
    pub upstreams: UpstreamMetrics,
    /// `proxy_static_cache_lookups_total{cache="path"}`: request paths resolved from memory.
    pub path_cache: CacheCounters,
    /// `proxy_static_cache_lookups_total{cache="body"}`: file bodies served from memory.
    pub body_cache: CacheCounters,
    pub handshakes: HandshakeCounters,
    connections_open: IntGauge,
    certificate_expiry: GaugeVec,
}

/// One cache's lookup counters.
#[derive(Clone)]
pub struct CacheCounters {
    pub hit: IntCounter,
    pub miss: IntCounter,
}

/// What a scrape reads as of now.
pub struct ScrapeSources<'a> {
    pub connections: &'a ConnectionLimits,
    pub upstreams: &'a Upstreams,
    pub certificates: Option<&'a CertStore>,
}

impl ProxyMetrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = RequestMetrics::new(
            register(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "proxy_http_requests_total",
                        "Requests answered, by class (static, api, redirect, health) and status (0: the client left before a response).",
                    ),
                    &["class", "status"],
                ),
            ),
            register(
                &registry,
                HistogramVec::new(
                    HistogramOpts::new(
                        "proxy_http_request_duration_seconds",
                        "Time from a request's arrival to the end of its response, by class.",
                    )
                    .buckets(LATENCY_BUCKETS.to_vec()),
                    &["class"],
                ),
            ),
        );
        let upstreams = UpstreamMetrics::new(
            register(
                &registry,
                HistogramVec::new(
                    HistogramOpts::new(
                        "proxy_upstream_response_seconds",
                        "Time from picking an upstream (connecting included) to its response header, by upstream address.",
                    )
                    .buckets(LATENCY_BUCKETS.to_vec()),
                    &["upstream"],
                ),
            ),
            register(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "proxy_upstream_retries_total",
                        "Requests sent on to another upstream after this upstream address failed them.",
                    ),
                    &["upstream"],
                ),
            ),
            register(
                &registry,
                IntGaugeVec::new(
                    Opts::new(
                        "proxy_upstream_healthy",
                        "1 while an upstream address passes its active health check, else 0.",
                    ),
                    &["upstream"],
                ),
            ),
        );
        let cache_lookups = register(
            &registry,
            IntCounterVec::new(
                Opts::new(
                    "proxy_static_cache_lookups_total",
                    "Static-file cache lookups, by cache (path: resolved request paths, body: file contents) and result (hit, miss).",
                ),
                &["cache", "result"],
            ),
        );
        let cache = |name: &str| CacheCounters {
            hit: cache_lookups.with_label_values(&[name, "hit"]),
            miss: cache_lookups.with_label_values(&[name, "miss"]),
        };
        let handshakes = register(
            &registry,
            IntCounterVec::new(
                Opts::new(
                    "proxy_tls_handshakes_total",
                    "TLS handshakes on the HTTPS listener, by outcome: ok, or no_certificate for the name asked.",
                ),
                &["outcome"],
            ),
        );
        Self {
            requests,
            upstreams,
            path_cache: cache("path"),
            body_cache: cache("body"),
            handshakes: HandshakeCounters {
                ok: handshakes.with_label_values(&["ok"]),
                no_certificate: handshakes.with_label_values(&["no_certificate"]),
            },
            connections_open: register(
                &registry,
                IntGauge::new(
                    "proxy_connections_open",
                    "Client connections open on the HTTP and HTTPS listeners.",
                ),
            ),
            certificate_expiry: register(
                &registry,
                GaugeVec::new(
                    Opts::new(
                        "proxy_tls_certificate_expiry_seconds",
                        "Seconds until the certificate served for a name expires (negative once expired).",
                    ),
                    &["name"],
                ),
            ),
            registry,
        }
    }

    /// The text exposition of every metric, with what `sources` hold as of now.
    pub fn render(&self, sources: &ScrapeSources) -> Vec<u8> {
        self.connections_open
            .set(i64::try_from(sources.connections.open()).unwrap_or(i64::MAX));
        self.upstreams.refresh(&sources.upstreams.health());
        self.certificate_expiry.reset();
        if let Some(store) = sources.certificates {
            let now = SystemTime::now();
            for (name, not_after) in store.names() {
                let left = match not_after.duration_since(now) {
                    Ok(left) => left.as_secs_f64(),
                    Err(past) => -past.duration().as_secs_f64(),
                };
                self.certificate_expiry
                    .with_label_values(&[name.as_str()])
                    .set(left.round());
            }
        }
        shared::metrics::render(&self.registry)
    }
}

impl Default for ProxyMetrics {
    fn default() -> Self {
        Self::new()
    }
}
