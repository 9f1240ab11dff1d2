//! A forwarded request's way to an upstream: which one it goes to (another one on a retry),
//! the headers it is sent with and those its response gets, and what a failed attempt says
//! about the upstream's health and whether the request may be tried again.

use std::time::{Duration, Instant};

use pingora::http::{RequestHeader, ResponseHeader};
use pingora::prelude::HttpPeer;
use pingora::proxy::Session;
use pingora::{Error, ErrorSource, ErrorType};
use shared::request::REQUEST_ID_HEADER;

use super::state::{ProxyService, RequestCtx};
use crate::failure;
use crate::forwarding::{self, Origin};

impl ProxyService {
    /// `upstream_peer`: the next upstream not yet tried, with the configured timeouts.
    pub(super) fn pick_upstream(&self, ctx: &mut RequestCtx) -> pingora::Result<Box<HttpPeer>> {
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

    /// `upstream_request_filter`: the request's id and the forwarding headers.
    pub(super) fn forwarded_headers(
        &self,
        upstream_request: &mut RequestHeader,
        ctx: &RequestCtx,
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

    /// `response_filter`: the upstream's response time, and the headers the listener adds to
    /// every response.
    pub(super) fn upstream_responded(
        &self,
        upstream_response: &mut ResponseHeader,
        ctx: &RequestCtx,
    ) -> pingora::Result<()> {
        if let (Some(metrics), Some(addr), Some(picked)) =
            (&self.metrics, ctx.upstream, ctx.upstream_picked)
        {
            metrics.upstreams.responded(addr, picked.elapsed());
        }
        self.replies
            .listener_headers(upstream_response, ctx.request_id.as_ref())
    }

    /// `fail_to_connect`: the upstream is skipped for a while, and the request may go to the
    /// next one.
    pub(super) fn connect_failed(&self, ctx: &RequestCtx, mut e: Box<Error>) -> Box<Error> {
        if let Some(addr) = ctx.upstream {
            self.upstreams.mark_failed(addr);
        }
        // Nothing reached the upstream, so any request may go to the next one.
        e.set_retry(true);
        e
    }

    /// `error_while_proxy`: whether the failure counts against the upstream, and whether the
    /// request may be replayed to another.
    pub(super) fn failed_while_proxying(
        &self,
        peer: &HttpPeer,
        session: &mut Session,
        e: Box<Error>,
        ctx: &RequestCtx,
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
}
