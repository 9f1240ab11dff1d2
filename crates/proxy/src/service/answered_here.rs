//! `request_filter`: which way the request goes, then the steps that may answer it here, in
//! order (rate limits, the edge policy, the ACME challenge, the health endpoint, static
//! files). The first reply wins; a request none of them answers (an API path) is forwarded.

use pingora::http::RequestHeader;
use pingora::proxy::Session;
use serde::Serialize;

use super::state::{ProxyService, RequestCtx};
use crate::client_ip::limit_key;
use crate::edge::{self, Decision};
use crate::metrics::RequestClass;
use crate::reply::Reply;
use crate::routing::Route;

/// A step of `request_filter` that may answer the request itself.
type Step = fn(&ProxyService, &RequestHeader, &mut RequestCtx) -> pingora::Result<Option<Reply>>;

#[derive(Serialize)]
struct HealthBody {
    status: &'static str,
    upstreams_healthy: usize,
    upstreams_total: usize,
}

impl ProxyService {
    /// `request_filter`: `true` when the request was answered here, `false` to forward it.
    pub(super) async fn answer_or_forward(
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
