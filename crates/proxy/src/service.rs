//! The proxy itself: one `ProxyHttp` whose phases decide between the health endpoint, static
//! files and forwarding, pick upstreams, rewrite forwarding headers and log every request.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use bytes::Bytes;
use pingora::http::{RequestHeader, ResponseHeader};
use pingora::prelude::HttpPeer;
use pingora::proxy::{FailToProxy, ProxyHttp, Session};
use pingora::{Error, ErrorSource, ErrorType};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use shared::wire::ErrorBody;

use crate::config::ProxyConfig;
use crate::edge::Decision;
use crate::responses::{proxy_error, text_response, text_response_owned, write_json};
use crate::static_files::{Body, StaticFiles, StaticResponse};
use crate::tls::acme::{Challenges, CHALLENGE_PREFIX};
use crate::upstreams::Upstreams;

/// Chunk size for streaming large files.
const FILE_CHUNK: usize = 64 * 1024;

/// Headers that describe one hop's connection and must not be forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP: &[&str] = &[
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "upgrade",
];

/// One listener's proxy: the plain-HTTP one (which also answers ACME challenges and redirects
/// to HTTPS when TLS is on) or the HTTPS one. Both share configuration, files and upstreams.
pub struct ProxyService {
    config: Arc<ProxyConfig>,
    upstreams: Arc<Upstreams>,
    static_files: Arc<StaticFiles>,
    tls: bool,
    challenges: Option<Challenges>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Health,
    Static,
    Api,
}

/// Per-request state.
pub struct RequestCtx {
    started: Instant,
    route: Route,
    tried: Vec<SocketAddr>,
    upstream: Option<SocketAddr>,
}

#[derive(Serialize)]
struct HealthBody {
    status: &'static str,
    upstreams_healthy: usize,
    upstreams_total: usize,
}

impl ProxyService {
    pub fn new(
        config: Arc<ProxyConfig>,
        upstreams: Arc<Upstreams>,
        static_files: Arc<StaticFiles>,
        tls: bool,
        challenges: Option<Challenges>,
    ) -> Self {
        Self {
            config,
            upstreams,
            static_files,
            tls,
            challenges,
        }
    }

    /// `Strict-Transport-Security` on HTTPS responses, when configured.
    fn hsts(&self) -> Option<&str> {
        self.config.edge.hsts.as_deref().filter(|_| self.tls)
    }

    async fn json(
        &self,
        session: &mut Session,
        status: u16,
        body: &impl Serialize,
    ) -> pingora::Result<()> {
        write_json(session, status, body, self.hsts()).await
    }

    async fn write_static(
        &self,
        session: &mut Session,
        response: StaticResponse,
    ) -> pingora::Result<()> {
        let StaticResponse { mut header, body } = response;
        if let Some(hsts) = self.hsts() {
            header.insert_header("Strict-Transport-Security", hsts)?;
        }
        match body {
            Body::Empty => session.write_response_header(Box::new(header), true).await,
            Body::Bytes(bytes) => {
                session
                    .write_response_header(Box::new(header), false)
                    .await?;
                session.write_response_body(Some(bytes), true).await
            }
            Body::File { path, start, len } => {
                session
                    .write_response_header(Box::new(header), false)
                    .await?;
                stream_file(session, &path, start, len).await
            }
        }
    }

    fn header_bytes(req: &RequestHeader) -> usize {
        let headers: usize = req
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum();
        let target = req.uri.path_and_query().map_or(0, |pq| pq.as_str().len());
        let authority = req.uri.authority().map_or(0, |a| a.as_str().len());
        headers + target + authority
    }
}

/// Streams `len` bytes of a file from `start` without holding the whole file in memory.
async fn stream_file(
    session: &mut Session,
    path: &std::path::Path,
    start: u64,
    len: u64,
) -> pingora::Result<()> {
    let read_error = |err| Error::because(ErrorType::FileReadError, "streaming a static file", err);
    let mut file = tokio::fs::File::open(path).await.map_err(read_error)?;
    file.seek(std::io::SeekFrom::Start(start))
        .await
        .map_err(read_error)?;
    let mut remaining = len;
    while remaining > 0 {
        let want = usize::try_from(remaining)
            .unwrap_or(usize::MAX)
            .min(FILE_CHUNK);
        let mut chunk = vec![0; want];
        let read = file.read(&mut chunk).await.map_err(read_error)?;
        if read == 0 {
            return Error::e_explain(ErrorType::FileReadError, "file shrank while being sent");
        }
        chunk.truncate(read);
        remaining -= read as u64;
        session
            .write_response_body(Some(Bytes::from(chunk)), remaining == 0)
            .await?;
    }
    Ok(())
}

impl ProxyService {
    /// For a plain-HTTP request to the ACME challenge path: the answer for its token, if the
    /// token is one being validated (`Some(None)` when it is not).
    fn acme_challenge(&self, path: &str) -> Option<Option<String>> {
        if self.tls {
            return None;
        }
        let challenges = self.challenges.as_ref()?;
        let token = path.strip_prefix(CHALLENGE_PREFIX)?;
        Some(challenges.read().expect("challenges").get(token).cloned())
    }
}

fn is_upstream_timeout(e: &Error) -> bool {
    matches!(
        e.etype(),
        ErrorType::ReadTimedout | ErrorType::WriteTimedout
    )
}

#[async_trait]
impl ProxyHttp for ProxyService {
    type CTX = RequestCtx;

    fn new_ctx(&self) -> RequestCtx {
        RequestCtx {
            started: Instant::now(),
            route: Route::Static,
            tried: Vec::new(),
            upstream: None,
        }
    }

    async fn early_request_filter(
        &self,
        session: &mut Session,
        _ctx: &mut RequestCtx,
    ) -> pingora::Result<()> {
        let downstream = session.as_downstream_mut();
        downstream.set_read_timeout(Some(self.config.client_timeout));
        downstream.set_write_timeout(Some(self.config.client_timeout));
        // Zero means no keep-alive (pingora reads Some(0) as "forever", which would also lift
        // the read timeout on idle connections).
        let keepalive = self.config.keepalive.as_secs();
        downstream.set_keepalive((keepalive > 0).then_some(keepalive));
        Ok(())
    }

    async fn request_filter(
        &self,
        session: &mut Session,
        ctx: &mut RequestCtx,
    ) -> pingora::Result<bool> {
        let req = session.req_header();
        let path = req.uri.path();
        ctx.route = if path == self.config.health_path {
            Route::Health
        } else if self.config.is_api_path(path) {
            Route::Api
        } else {
            Route::Static
        };
        if Self::header_bytes(req) > self.config.max_header_bytes {
            self.json(session, 431, &proxy_error(431)).await?;
            return Ok(true);
        }
        if let Some(key_authorization) = self.acme_challenge(path) {
            let response = match key_authorization {
                Some(answer) => text_response_owned(200, answer)?,
                None => text_response(404, "Not Found\n")?,
            };
            self.write_static(session, response).await?;
            return Ok(true);
        }
        if ctx.route != Route::Health {
            let host = req
                .headers
                .get("host")
                .and_then(|v| v.to_str().ok())
                .or_else(|| req.uri.authority().map(|a| a.as_str()));
            let target = req.uri.path_and_query().map_or("/", |pq| pq.as_str());
            match self.config.edge.decide(self.tls, host, target) {
                Decision::Serve => {}
                Decision::Redirect(location) => {
                    let mut header = ResponseHeader::build(308, Some(4))?;
                    header.insert_header("Location", location)?;
                    header.insert_header("Content-Length", "0")?;
                    header.insert_header("Cache-Control", "no-store")?;
                    self.write_static(
                        session,
                        StaticResponse {
                            header,
                            body: Body::Empty,
                        },
                    )
                    .await?;
                    return Ok(true);
                }
                Decision::Misdirected => {
                    let body = ErrorBody::new(
                        "This server does not serve that host name.",
                        "misdirected_request",
                    );
                    self.json(session, 421, &body).await?;
                    return Ok(true);
                }
            }
        }
        match ctx.route {
            Route::Api => Ok(false),
            Route::Health => {
                let healthy = self.upstreams.healthy_count();
                let body = HealthBody {
                    status: if healthy > 0 { "ok" } else { "degraded" },
                    upstreams_healthy: healthy,
                    upstreams_total: self.upstreams.total_count(),
                };
                self.json(session, 200, &body).await?;
                Ok(true)
            }
            Route::Static => {
                let declared = req
                    .headers
                    .get("content-length")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok());
                let chunked = req.headers.contains_key("transfer-encoding");
                if chunked || declared.is_some_and(|len| len > self.config.static_max_body_bytes) {
                    let response = text_response(413, "Payload Too Large\n")?;
                    self.write_static(session, response).await?;
                    return Ok(true);
                }
                let response = self.static_files.respond(session.req_header()).await?;
                self.write_static(session, response).await?;
                Ok(true)
            }
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
        ctx.tried.push(addr);
        ctx.upstream = Some(addr);
        let mut peer = HttpPeer::new(addr, false, String::new());
        peer.options.connection_timeout = Some(self.config.connect_timeout);
        peer.options.read_timeout = Some(self.config.upstream_timeout);
        peer.options.write_timeout = Some(self.config.upstream_timeout);
        peer.options.idle_timeout = Some(self.config.keepalive);
        Ok(Box::new(peer))
    }

    async fn upstream_request_filter(
        &self,
        session: &mut Session,
        upstream_request: &mut RequestHeader,
        _ctx: &mut RequestCtx,
    ) -> pingora::Result<()> {
        // pingora already drops `Connection` and the headers it names; these are the other
        // hop-by-hop headers, and the client-supplied forwarding headers we do not vouch for.
        for name in HOP_BY_HOP {
            upstream_request.remove_header(*name);
        }
        if !self.config.trust_forwarded {
            upstream_request.remove_header("forwarded");
            upstream_request.remove_header("x-real-ip");
        }

        let client_ip = session
            .client_addr()
            .and_then(|addr| addr.as_inet())
            .map(|addr| addr.ip().to_string());
        if let Some(ip) = client_ip {
            // Every X-Forwarded-For line the client sent, in order, then the client itself.
            let mut chain: Vec<&str> = upstream_request
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect();
            chain.push(&ip);
            let forwarded_for = chain.join(", ");
            upstream_request.insert_header("X-Forwarded-For", forwarded_for)?;
        }
        let trusted = |request: &RequestHeader, name: &str| {
            self.config.trust_forwarded && request.headers.contains_key(name)
        };
        if !trusted(upstream_request, "x-forwarded-proto") {
            upstream_request
                .insert_header("X-Forwarded-Proto", if self.tls { "https" } else { "http" })?;
        }
        if !trusted(upstream_request, "x-forwarded-host") {
            let host = upstream_request.headers.get("host").cloned().or_else(|| {
                upstream_request
                    .uri
                    .authority()
                    .and_then(|a| a.as_str().parse().ok())
            });
            match host {
                Some(host) => upstream_request.insert_header("X-Forwarded-Host", host)?,
                None => {
                    upstream_request.remove_header("x-forwarded-host");
                }
            }
        }
        Ok(())
    }

    async fn response_filter(
        &self,
        _session: &mut Session,
        upstream_response: &mut ResponseHeader,
        _ctx: &mut RequestCtx,
    ) -> pingora::Result<()> {
        if let Some(hsts) = self.hsts() {
            upstream_response.insert_header("Strict-Transport-Security", hsts)?;
        }
        Ok(())
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
        let timed_out = is_upstream_timeout(&e);
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
        let code = match e.etype() {
            ErrorType::HTTPStatus(code) => *code,
            _ if e.esource() == &ErrorSource::Upstream && is_upstream_timeout(e) => 504,
            _ => match e.esource() {
                ErrorSource::Upstream => 502,
                ErrorSource::Downstream => match e.etype() {
                    ErrorType::WriteError | ErrorType::ReadError | ErrorType::ConnectionClosed => 0,
                    _ => 400,
                },
                ErrorSource::Internal | ErrorSource::Unset => 500,
            },
        };
        if code >= 500 {
            log::error!(
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
            let written = if ctx.route == Route::Api || code >= 500 {
                self.json(session, code, &proxy_error(code)).await
            } else {
                // Static-path errors look like the static server's own: plain text, with the
                // security headers.
                let reason = pingora::http::StatusCode::from_u16(code)
                    .ok()
                    .and_then(|status| status.canonical_reason())
                    .unwrap_or("Error");
                match text_response_owned(code, format!("{reason}\n")) {
                    Ok(response) => self.write_static(session, response).await,
                    Err(err) => Err(err),
                }
            };
            if let Err(err) = written {
                log::debug!("could not send the error response: {err}");
            }
        }
        FailToProxy {
            error_code: code,
            can_reuse_downstream: false,
        }
    }

    async fn logging(&self, session: &mut Session, _e: Option<&Error>, ctx: &mut RequestCtx) {
        // Runs for every request: build the line only when it will be written.
        if !log::log_enabled!(target: "access", log::Level::Info) {
            return;
        }
        let downstream = session.as_downstream();
        let status = downstream
            .response_written()
            .map_or(0, |r| r.status.as_u16());
        let client = session
            .client_addr()
            .and_then(|addr| addr.as_inet())
            .map_or_else(|| "-".to_owned(), |addr| addr.ip().to_string());
        let req = session.req_header();
        let upstream = ctx
            .upstream
            .map_or_else(|| "-".to_owned(), |addr| addr.to_string());
        log::info!(
            target: "access",
            "{client} \"{} {} {:?}\" {status} {} {:.1}ms upstream={upstream}",
            req.method,
            req.uri.path_and_query().map_or("/", |pq| pq.as_str()),
            req.version,
            downstream.body_bytes_sent(),
            ctx.started.elapsed().as_secs_f64() * 1000.0,
        );
    }
}
