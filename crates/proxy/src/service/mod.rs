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
//!
//! This file is the list of pingora's phases, in the order they run; each hands its work to
//! the file that does it: `arrival` (who, which id, the client's timeouts), `answered_here`
//! (the steps that may answer), `upstream` (picking one, its headers, what its failures mean),
//! `failure_reply` (a failed request's answer) and `access_log`. Their shared state, the
//! listener's [`ProxyService`] and each request's [`RequestCtx`], is in `state`.

mod access_log;
mod answered_here;
mod arrival;
mod failure_reply;
mod state;
mod upstream;

pub use state::{ProxyService, RequestCtx};

use async_trait::async_trait;
use pingora::http::{RequestHeader, ResponseHeader};
use pingora::prelude::HttpPeer;
use pingora::proxy::{FailToProxy, ProxyHttp, Session};
use pingora::Error;

#[async_trait]
impl ProxyHttp for ProxyService {
    type CTX = RequestCtx;

    fn new_ctx(&self) -> RequestCtx {
        RequestCtx::new()
    }

    async fn early_request_filter(
        &self,
        session: &mut Session,
        ctx: &mut RequestCtx,
    ) -> pingora::Result<()> {
        self.arrive(session, ctx);
        Ok(())
    }

    async fn request_filter(
        &self,
        session: &mut Session,
        ctx: &mut RequestCtx,
    ) -> pingora::Result<bool> {
        self.answer_or_forward(session, ctx).await
    }

    async fn upstream_peer(
        &self,
        _session: &mut Session,
        ctx: &mut RequestCtx,
    ) -> pingora::Result<Box<HttpPeer>> {
        self.pick_upstream(ctx)
    }

    async fn upstream_request_filter(
        &self,
        _session: &mut Session,
        upstream_request: &mut RequestHeader,
        ctx: &mut RequestCtx,
    ) -> pingora::Result<()> {
        self.forwarded_headers(upstream_request, ctx)
    }

    async fn response_filter(
        &self,
        _session: &mut Session,
        upstream_response: &mut ResponseHeader,
        ctx: &mut RequestCtx,
    ) -> pingora::Result<()> {
        self.upstream_responded(upstream_response, ctx)
    }

    fn fail_to_connect(
        &self,
        _session: &mut Session,
        _peer: &HttpPeer,
        ctx: &mut RequestCtx,
        e: Box<Error>,
    ) -> Box<Error> {
        self.connect_failed(ctx, e)
    }

    fn error_while_proxy(
        &self,
        peer: &HttpPeer,
        session: &mut Session,
        e: Box<Error>,
        ctx: &mut RequestCtx,
        client_reused: bool,
    ) -> Box<Error> {
        self.failed_while_proxying(peer, session, e, ctx, client_reused)
    }

    async fn fail_to_proxy(
        &self,
        session: &mut Session,
        e: &Error,
        ctx: &mut RequestCtx,
    ) -> FailToProxy {
        self.reply_to_failure(session, e, ctx).await
    }

    async fn logging(&self, session: &mut Session, _e: Option<&Error>, ctx: &mut RequestCtx) {
        self.record(session, ctx);
    }
}
