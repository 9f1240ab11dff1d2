//! The metrics listener (`PROXY_METRICS_LISTEN`): `GET /metrics` in Prometheus' text format,
//! and nothing else. It is meant for a scraper inside the private network, yet it is bounded
//! like the main listeners: request headers by size and time, silent clients by the client
//! timeout, and a few connections at once. It reads no request body (one is refused).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use pingora::apps::{HttpPersistentSettings, HttpServerApp, HttpServerOptions, ReusedHttpStream};
use pingora::http::{Method, ResponseHeader};
use pingora::protocols::http::ServerSession;
use pingora::server::ShutdownWatch;
use pingora::services::listening::Service;

use super::{ProxyMetrics, ScrapeSources};
use crate::config::ProxyConfig;
use crate::connections::{self, ConnectionLimits, ConnectionSettings};
use crate::tls::CertStore;
use crate::upstreams::Upstreams;

pub const METRICS_PATH: &str = "/metrics";

/// Scrapers open one connection each; a handful covers a pair of Prometheus servers and a
/// person with curl.
const MAX_CONNECTIONS: usize = 16;
/// A scrape is `GET /metrics` and a few headers.
const MAX_HEADER_BYTES: usize = 8 * 1024;

pub struct MetricsEndpoint {
    metrics: Arc<ProxyMetrics>,
    connections: Arc<ConnectionLimits>,
    upstreams: Arc<Upstreams>,
    certificates: Option<Arc<CertStore>>,
    options: HttpServerOptions,
    client_timeout: Duration,
    keepalive: Option<Duration>,
}

/// The listening service for the metrics at `address`: `connections` is what the main
/// listeners count (reported, not shared: this listener has its own cap).
pub fn service(
    address: SocketAddr,
    config: &ProxyConfig,
    metrics: Arc<ProxyMetrics>,
    connections: Arc<ConnectionLimits>,
    upstreams: Arc<Upstreams>,
    certificates: Option<Arc<CertStore>>,
) -> Service<MetricsEndpoint> {
    let settings = ConnectionSettings {
        max_total: Some(MAX_CONNECTIONS),
        max_per_ip: None,
        max_header_bytes: MAX_HEADER_BYTES.min(config.connections.max_header_bytes),
        ..config.connections.clone()
    };
    let (options, _) = settings.http_options();
    let endpoint = MetricsEndpoint {
        metrics,
        connections,
        upstreams,
        certificates,
        options,
        client_timeout: settings.client_timeout,
        keepalive: settings.keepalive,
    };
    let own_connections = ConnectionLimits::new(&settings, config.trusted_proxies.clone());
    let mut service = Service::new("metrics".to_owned(), endpoint);
    // A scrape is small and rare: one thread, not one per CPU.
    service.threads = Some(1);
    service.set_connection_filter(Arc::new(own_connections));
    service.add_listener(connections::endpoint(address, None));
    service
}

impl MetricsEndpoint {
    /// The response to `req` and its body.
    fn answer(
        &self,
        req: &pingora::http::RequestHeader,
    ) -> pingora::Result<(ResponseHeader, Bytes)> {
        if req.uri.path() != METRICS_PATH {
            return plain(404, "Not Found\n");
        }
        if req.method != Method::GET && req.method != Method::HEAD {
            let (mut header, body) = plain(405, "Method Not Allowed\n")?;
            header.insert_header("Allow", "GET, HEAD")?;
            return Ok((header, body));
        }
        let sources = ScrapeSources {
            connections: &self.connections,
            upstreams: &self.upstreams,
            certificates: self.certificates.as_deref(),
        };
        let body = Bytes::from(self.metrics.render(&sources));
        let mut header = ResponseHeader::build(200, Some(3))?;
        header.insert_header("Content-Type", shared::metrics::CONTENT_TYPE)?;
        header.insert_header("Content-Length", body.len().to_string())?;
        header.insert_header("Cache-Control", "no-store")?;
        Ok((header, body))
    }
}

fn plain(status: u16, text: &'static str) -> pingora::Result<(ResponseHeader, Bytes)> {
    let mut header = ResponseHeader::build(status, Some(3))?;
    header.insert_header("Content-Type", "text/plain; charset=utf-8")?;
    header.insert_header("Content-Length", text.len().to_string())?;
    Ok((header, Bytes::from_static(text.as_bytes())))
}

#[async_trait]
impl HttpServerApp for MetricsEndpoint {
    async fn process_new_http(
        self: &Arc<Self>,
        mut session: ServerSession,
        shutdown: &ShutdownWatch,
    ) -> Option<ReusedHttpStream> {
        match session.read_request().await {
            Ok(true) => {}
            Ok(false) => return None,
            Err(err) => {
                log::debug!("metrics listener: could not read a request: {err}");
                return None;
            }
        }
        session.set_read_timeout(Some(self.client_timeout));
        session.set_write_timeout(Some(self.client_timeout));
        let has_body = !session.is_body_empty();
        let keepalive = self.keepalive.filter(|_| !*shutdown.borrow() && !has_body);
        session.set_keepalive(keepalive.map(|keepalive| keepalive.as_secs()));
        let answer = if has_body {
            plain(413, "Payload Too Large\n")
        } else {
            self.answer(session.req_header())
        };
        let (header, body) = match answer {
            Ok(answer) => answer,
            Err(err) => {
                log::error!("metrics listener: could not build a response: {err}");
                return None;
            }
        };
        let head = session.req_header().method == Method::HEAD;
        if let Err(err) = session.write_response_header(Box::new(header)).await {
            log::debug!("metrics listener: could not write a response: {err}");
            return None;
        }
        let body = if head { Bytes::new() } else { body };
        if let Err(err) = session.write_response_body(body, true).await {
            log::debug!("metrics listener: could not write a response: {err}");
            return None;
        }
        let persistent = HttpPersistentSettings::for_session(&session);
        match session.finish().await {
            Ok(reusable) => {
                reusable.map(|stream| ReusedHttpStream::from_reusable_stream(stream, persistent))
            }
            Err(err) => {
                log::debug!("metrics listener: could not finish a response: {err}");
                None
            }
        }
    }

    fn server_options(&self) -> Option<&HttpServerOptions> {
        Some(&self.options)
    }
}
