//! The proxy itself: one `ProxyHttp` per listener. `early_request_filter` settles who the
//! request is from and its id; `request_filter` runs the steps that may answer a request here
//! (rate limits, edge policy, ACME challenge, health, static files) and forwards the rest; the
//! later phases pick upstreams, rewrite forwarding headers, turn failures into replies and log
//! every request.
//!
//! Every request gets an id (`X-Request-Id`) before anything else: sent upstream, returned to
//! the client and written in the access line, so one request can be followed through both
//! services' logs. A client's own id is believed only from a trusted proxy (the same trust
//! decision as for its forwarding headers: `PROXY_TRUSTED_PROXIES`, `PROXY_TRUST_FORWARDED`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use pingora::http::{RequestHeader, ResponseHeader};
use pingora::prelude::HttpPeer;
use pingora::proxy::{FailToProxy, ProxyHttp, Session};
use pingora::{Error, ErrorSource, ErrorType};
use serde::Serialize;
use shared::request::{RequestId, REQUEST_ID_HEADER};

use crate::client_ip::{self, limit_key, Client};
use crate::config::ProxyConfig;
use crate::edge::{self, Decision};
use crate::failure;
use crate::forwarding::{self, Origin};
use crate::listener::Listener;
use crate::metrics::{ProxyMetrics, RequestClass};
use crate::rate_limits::RateLimits;
use crate::reply::{Reply, ReplyWriter};
use crate::routing::Route;
use crate::static_files::StaticFiles;
use crate::upstreams::Upstreams;

/// One listener's proxy. The listeners share configuration, files, upstreams and rate limits.
pub struct ProxyService {
    config: Arc<ProxyConfig>,
    upstreams: Arc<Upstreams>,
    static_files: Arc<StaticFiles>,
    rate_limits: Arc<RateLimits>,
    listener: Listener,
    replies: ReplyWriter,
    /// `None` when `PROXY_METRICS_LISTEN` is off: nothing is counted.
    metrics: Option<Arc<ProxyMetrics>>,
}

/// Per-request state.
pub struct RequestCtx {
    started: Instant,
    /// Set first thing, in `early_request_filter`.
    request_id: Option<RequestId>,
    /// Who the request is from; `None` only for a peer that is not on IP.
    client: Option<Client>,
    route: Route,
    /// The route's class, or `Redirect` when the edge policy redirected the request.
    class: RequestClass,
    tried: Vec<SocketAddr>,
    upstream: Option<SocketAddr>,
    /// When `upstream` was picked, for its response time.
    upstream_picked: Option<Instant>,
}

#[derive(Serialize)]
struct HealthBody {
    status: &'static str,
    upstreams_healthy: usize,
    upstreams_total: usize,
}

/// A step of `request_filter` that may answer the request itself.
type Step = fn(&ProxyService, &RequestHeader, &mut RequestCtx) -> pingora::Result<Option<Reply>>;

/// The request's id: the client's when well formed and sent by a trusted proxy, else a new one.
fn request_id(req: &RequestHeader, from_trusted: bool) -> RequestId {
    from_trusted
        .then(|| req.headers.get(REQUEST_ID_HEADER))
        .flatten()
        .and_then(|value| RequestId::parse(value.as_bytes()))
        .unwrap_or_else(RequestId::generate)
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

    /// The steps that may answer a request here, in order: the first reply wins, and a request
    /// none of them answers (an API path) is forwarded.
    async fn answer_here(
        &self,
        req: &RequestHeader,
        ctx: &mut RequestCtx,
    ) -> pingora::Result<Option<Reply>> {
        let steps: [Step; 4] = [
            Self::rate_limit,
            Self::edge_policy,
            Self::acme_challenge,
            Self::health,
        ];
        for step in steps {
            if let Some(reply) = step(self, req, ctx)? {
                return Ok(Some(reply));
            }
        }
        self.static_file(req, ctx.route).await
    }

    /// 429 for a client past its limit for this class of request.
    fn rate_limit(
        &self,
        req: &RequestHeader,
        ctx: &mut RequestCtx,
    ) -> pingora::Result<Option<Reply>> {
        let Some(client) = ctx.client else {
            return Ok(None);
        };
        let Some(class) = self
            .rate_limits
            .class(&req.method, req.uri.path(), ctx.route)
        else {
            return Ok(None);
        };
        match self.rate_limits.check(class, limit_key(client.ip)) {
            Ok(()) => Ok(None),
            Err(wait) => Reply::throttled(wait).map(Some),
        }
    }

    /// Except for the health endpoint and ACME challenges, the host policy (redirects to HTTPS
    /// or the canonical host, 421).
    fn edge_policy(
        &self,
        req: &RequestHeader,
        ctx: &mut RequestCtx,
    ) -> pingora::Result<Option<Reply>> {
        let edge = &self.config.edge;
        if ctx.route == Route::Health || self.listener.challenge(req.uri.path()).is_some() {
            return Ok(None);
        }
        let host = req
            .headers
            .get("host")
            .and_then(|v| v.to_str().ok())
            .or_else(|| req.uri.authority().map(|a| a.as_str()));
        match edge.decide(self.listener.is_https(), host, edge::origin_form(req)) {
            Decision::Serve => Ok(None),
            Decision::Redirect(location) => {
                ctx.class = RequestClass::Redirect;
                Reply::redirect(location).map(Some)
            }
            Decision::Misdirected => Reply::proxy_error(421).map(Some),
            Decision::BadTarget => Reply::proxy_error(400).map(Some),
        }
    }

    /// The key authorization for a token being validated; 404 for any other token.
    fn acme_challenge(
        &self,
        req: &RequestHeader,
        _: &mut RequestCtx,
    ) -> pingora::Result<Option<Reply>> {
        let Some((challenges, token)) = self.listener.challenge(req.uri.path()) else {
            return Ok(None);
        };
        let answer = challenges.read().expect("challenges").get(token).cloned();
        match answer {
            Some(key_authorization) => Reply::text(200, key_authorization),
            None => Reply::status_text(404),
        }
        .map(Some)
    }

    fn health(&self, _: &RequestHeader, ctx: &mut RequestCtx) -> pingora::Result<Option<Reply>> {
        if ctx.route != Route::Health {
            return Ok(None);
        }
        let healthy = self.upstreams.healthy_count();
        let body = HealthBody {
            status: if healthy > 0 { "ok" } else { "degraded" },
            upstreams_healthy: healthy,
            upstreams_total: self.upstreams.total_count(),
        };
        Reply::json(200, &body).map(Some)
    }

    async fn static_file(
        &self,
        req: &RequestHeader,
        route: Route,
    ) -> pingora::Result<Option<Reply>> {
        if route != Route::Static {
            return Ok(None);
        }
        self.static_files.respond(req).await.map(Some)
    }
}

#[async_trait]
impl ProxyHttp for ProxyService {
    type CTX = RequestCtx;

    fn new_ctx(&self) -> RequestCtx {
        RequestCtx {
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

    async fn early_request_filter(
        &self,
        session: &mut Session,
        ctx: &mut RequestCtx,
    ) -> pingora::Result<()> {
        let peer = session
            .client_addr()
            .and_then(|addr| addr.as_inet())
            .map(|addr| addr.ip());
        ctx.client = peer.map(|peer| {
            client_ip::client_of(&self.config.trusted_proxies, peer, session.req_header())
        });
        let from_trusted = ctx.client.is_some_and(|client| client.peer_trusted);
        ctx.request_id = Some(request_id(session.req_header(), from_trusted));
        let connections = &self.config.connections;
        let downstream = session.as_downstream_mut();
        downstream.set_read_timeout(Some(connections.client_timeout));
        downstream.set_write_timeout(Some(connections.client_timeout));
        // Off is None: pingora reads Some(0) as "forever", which would also lift the read
        // timeout on idle connections. (A client that does not allow keep-alive, with
        // `Connection: close` or HTTP/1.0 without `keep-alive`, keeps it off.)
        downstream.set_keepalive(connections.keepalive.map(|keepalive| keepalive.as_secs()));
        // Requests a client sends before its previous answer arrives are answered in order
        // (RFC 9112 section 9.3.2), not dropped with the connection.
        downstream.set_pipelining_enabled(true);
        Ok(())
    }

    async fn request_filter(
        &self,
        session: &mut Session,
        ctx: &mut RequestCtx,
    ) -> pingora::Result<bool> {
        let req = session.req_header();
        ctx.route = Route::of(
            req.uri.path(),
            &self.config.health_path,
            &self.config.api_prefixes,
        );
        ctx.class = ctx.route.into();
        match self.answer_here(req, ctx).await? {
            Some(reply) => {
                self.replies
                    .send(session, reply, ctx.request_id.as_ref())
                    .await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn upstream_peer(
        &self,
        _session: &mut Session,
        ctx: &mut RequestCtx,
    ) -> pingora::Result<Box<HttpPeer>> {
        let Some(addr) = self.upstreams.select(&ctx.tried) else {
            return Error::e_explain(ErrorType::HTTPStatus(502), "no upstream available");
        };
        // Called again for a retry: the upstream before failed the request.
        if let (Some(metrics), Some(failed)) = (&self.metrics, ctx.upstream) {
            metrics.upstreams.retried(failed);
        }
        ctx.tried.push(addr);
        ctx.upstream = Some(addr);
        ctx.upstream_picked = self.metrics.as_ref().map(|_| Instant::now());
        let mut peer = HttpPeer::new(addr, false, String::new());
        peer.options.connection_timeout = Some(self.config.upstreams.connect_timeout);
        peer.options.read_timeout = Some(self.config.upstream_timeout);
        peer.options.write_timeout = Some(self.config.upstream_timeout);
        // Without keep-alive, upstream connections are not kept idle either.
        peer.options.idle_timeout =
            Some(self.config.connections.keepalive.unwrap_or(Duration::ZERO));
        Ok(Box::new(peer))
    }

    async fn upstream_request_filter(
        &self,
        _session: &mut Session,
        upstream_request: &mut RequestHeader,
        ctx: &mut RequestCtx,
    ) -> pingora::Result<()> {
        if let Some(id) = &ctx.request_id {
            upstream_request.insert_header(REQUEST_ID_HEADER, id.as_str())?;
        }
        let origin = Origin {
            client: ctx.client,
            https: self.listener.is_https(),
        };
        forwarding::rewrite(upstream_request, &origin)
    }

    async fn response_filter(
        &self,
        _session: &mut Session,
        upstream_response: &mut ResponseHeader,
        ctx: &mut RequestCtx,
    ) -> pingora::Result<()> {
        if let (Some(metrics), Some(addr), Some(picked)) =
            (&self.metrics, ctx.upstream, ctx.upstream_picked)
        {
            metrics.upstreams.responded(addr, picked.elapsed());
        }
        self.replies
            .listener_headers(upstream_response, ctx.request_id.as_ref())
    }

    fn fail_to_connect(
        &self,
        _session: &mut Session,
        _peer: &HttpPeer,
        ctx: &mut RequestCtx,
        mut e: Box<Error>,
    ) -> Box<Error> {
        if let Some(addr) = ctx.upstream {
            self.upstreams.mark_failed(addr);
        }
        // Nothing reached the upstream, so any request may go to the next one.
        e.set_retry(true);
        e
    }

    fn error_while_proxy(
        &self,
        peer: &HttpPeer,
        session: &mut Session,
        e: Box<Error>,
        ctx: &mut RequestCtx,
        client_reused: bool,
    ) -> Box<Error> {
        let mut e = e.more_context(format!("upstream {peer}"));
        let from_upstream = e.esource() == &ErrorSource::Upstream;
        let timed_out = failure::is_upstream_timeout(&e);
        // A pooled connection the upstream had already closed says nothing about its health;
        // a fresh connection dropped mid-request does.
        if from_upstream && !timed_out && !client_reused {
            if let Some(addr) = ctx.upstream {
                self.upstreams.mark_failed(addr);
            }
        }
        // Replaying is safe only for upstream failures of idempotent requests whose whole body
        // we still hold, before any of the response reached the client; a slow upstream is not
        // retried (that would only double its load), and a bad client request never is.
        let downstream = session.as_downstream();
        let retry = from_upstream
            && !timed_out
            && session.req_header().method.is_idempotent()
            && !downstream.retry_buffer_truncated()
            && downstream.response_written().is_none();
        e.set_retry(retry);
        e
    }

    async fn fail_to_proxy(
        &self,
        session: &mut Session,
        e: &Error,
        ctx: &mut RequestCtx,
    ) -> FailToProxy {
        let code = failure::status(e);
        if code >= 500 {
            log::error!(
                request_id = ctx.request_id.as_ref().map_or("-", RequestId::as_str);
                "{} {} failed with {code} (upstreams tried: {:?}): {e}",
                session.req_header().method,
                session.req_header().uri.path(),
                ctx.tried
            );
        }
        if code > 0 && session.as_downstream().response_written().is_none() {
            // The connection is not reused after a failure: say so, so clients do not send the
            // next request down a closing connection.
            session.as_downstream_mut().set_keepalive(None);
            let id = ctx.request_id.as_ref();
            let sent = match failure::reply(code, ctx.route, id) {
                Ok(reply) => self.replies.send(session, reply, id).await,
                Err(err) => Err(err),
            };
            if let Err(err) = sent {
                log::debug!("could not send the error response: {err}");
            }
        }
        FailToProxy {
            error_code: code,
            can_reuse_downstream: false,
        }
    }

    async fn logging(&self, session: &mut Session, _e: Option<&Error>, ctx: &mut RequestCtx) {
        let downstream = session.as_downstream();
        let status = downstream
            .response_written()
            .map_or(0, |r| r.status.as_u16());
        if let Some(metrics) = &self.metrics {
            metrics
                .requests
                .record(ctx.class, status, ctx.started.elapsed());
        }
        // A passing health check (the proxy's own, or the upstreams' through it) is written at
        // debug: platforms check every few seconds, and those lines would bury the real
        // requests. A failing one is news and is written like any request.
        let health_check = ctx.route == Route::Health
            || session.req_header().uri.path() == self.config.upstreams.health_path;
        let level = if health_check && (200..300).contains(&status) {
            log::Level::Debug
        } else {
            log::Level::Info
        };
        // Runs for every request: build the line only when it will be written.
        if !log::log_enabled!(target: "access", level) {
            return;
        }
        let client = ctx
            .client
            .map_or_else(|| "-".to_owned(), |client| client.ip.to_string());
        let req = session.req_header();
        let upstream = ctx
            .upstream
            .map_or_else(|| "-".to_owned(), |addr| addr.to_string());
        let path = req.uri.path_and_query().map_or("/", |pq| pq.as_str());
        let duration_ms = (ctx.started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
        log::log!(
            target: "access",
            level,
            request_id = ctx.request_id.as_ref().map_or("-", RequestId::as_str),
            method = req.method.as_str(),
            path,
            client_ip = client.as_str(),
            status,
            duration_ms,
            bytes = downstream.body_bytes_sent(),
            upstream = upstream.as_str();
            "{} {path} {:?} {status}",
            req.method,
            req.version,
        );
    }
}
