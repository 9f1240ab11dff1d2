//! `logging`: every request, once it is done, is counted (when metrics are on) and written as
//! one access-log line (target `access`). Passing health checks are written at debug only.

use pingora::proxy::Session;
use shared::request::RequestId;

use super::state::{ProxyService, RequestCtx};
use crate::routing::Route;

impl ProxyService {
    pub(super) fn record(&self, session: &mut Session, ctx: &RequestCtx) {
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
