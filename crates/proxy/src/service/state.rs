//! What the phases share: the listener's [`ProxyService`], built once, and each request's
//! [`RequestCtx`], filled in as the request goes through them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use shared::request::RequestId;

use crate::client_ip::Client;
use crate::config::ProxyConfig;
use crate::listener::Listener;
use crate::metrics::{ProxyMetrics, RequestClass};
use crate::rate_limits::RateLimits;
use crate::reply::writer::ReplyWriter;
use crate::routing::Route;
use crate::static_files::StaticFiles;
use crate::upstreams::Upstreams;

/// One listener's proxy. The listeners share configuration, files, upstreams and rate limits.
pub struct ProxyService {
    pub(super) config: Arc<ProxyConfig>,
    pub(super) upstreams: Arc<Upstreams>,
    pub(super) static_files: Arc<StaticFiles>,
    pub(super) rate_limits: Arc<RateLimits>,
    pub(super) listener: Listener,
    pub(super) replies: ReplyWriter,
    /// `None` when `PROXY_METRICS_LISTEN` is off: nothing is counted.
    pub(super) metrics: Option<Arc<ProxyMetrics>>,
}

impl ProxyService {
    pub fn new(
        config: Arc<ProxyConfig>,
        upstreams: Arc<Upstreams>,
        static_files: Arc<StaticFiles>,
        rate_limits: Arc<RateLimits>,
        listener: Listener,
        metrics: Option<Arc<ProxyMetrics>>,
    ) -> Self {
        let hsts = config.edge.hsts.clone().filter(|_| listener.is_https());
        Self {
            config,
            upstreams,
            static_files,
            rate_limits,
            listener,
            replies: ReplyWriter::new(hsts),
            metrics,
        }
    }
}

/// Per-request state.
pub struct RequestCtx {
    pub(super) started: Instant,
    /// Set first thing, in `early_request_filter`.
    pub(super) request_id: Option<RequestId>,
    /// Who the request is from; `None` only for a peer that is not on IP.
    pub(super) client: Option<Client>,
    pub(super) route: Route,
    /// The route's class, or `Redirect` when the edge policy redirected the request.
    pub(super) class: RequestClass,
    pub(super) tried: Vec<SocketAddr>,
    pub(super) upstream: Option<SocketAddr>,
    /// When `upstream` was picked, for its response time.
    pub(super) upstream_picked: Option<Instant>,
}

impl RequestCtx {
    /// A request that has just arrived: nothing is known of it yet.
    pub(super) fn new() -> Self {
        Self {
            started: Instant::now(),
            request_id: None,
            client: None,
            route: Route::Static,
            class: RequestClass::Static,
            tried: Vec::new(),
            upstream: None,
            upstream_picked: None,
        }
    }
}
