//! The pingora server: the process's open-files limit, pingora's settings, and every service
//! (the upstreams' discovery, the rate limits' pruning, the certificate sources, the HTTPS,
//! metrics and HTTP listeners), each listener logged as it is added.

use std::sync::Arc;

use pingora::proxy::HttpProxy;
use pingora::server::configuration::ServerConf;
use pingora::server::Server;
use pingora::services::background::background_service;
use pingora::services::listening::Service;

use super::error::StartupError;
use crate::config::{ProxyConfig, TlsConfig};
use crate::connections::{self, ConnectionLimits};
use crate::listener::Listener;
use crate::metrics::{endpoint, ProxyMetrics};
use crate::rate_limits::{Pruner, RateLimits};
use crate::service::ProxyService;
use crate::static_files::StaticFiles;
use crate::tls::acme::{AcmeManager, Challenges};
use crate::tls::{CertStore, CertificateFiles};
use crate::upstreams::Upstreams;

/// Blocking threads (disk work) per worker thread of a listener's runtime.
const BLOCKING_THREADS_PER_WORKER: usize = 2;

/// Seconds the final step of shutdown may take after the grace period.
const FINAL_SHUTDOWN_SECS: u64 = 2;

/// The start-up lines keep the target they had when the binary wrote them, so `RUST_LOG`
/// filters and log searches that name it still find them.
const LOG_TARGET: &str = "proxy";

/// Every client connection is a file descriptor, and so is each upstream connection and open
/// file: the soft limit, often 1024, is raised to the hard one, as servers do.
pub fn raise_open_files_limit(config: &ProxyConfig) {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => {
            let needed = config
                .connections
                .max_total
                .map(|max| max as u64 * 2)
                .unwrap_or(0);
            if needed > limit {
                log::warn!(
                    target: LOG_TARGET,
                    "the open-files limit is {limit}: PROXY_MAX_CONNECTIONS connections and \
                     their upstream connections may not fit"
                );
            }
        }
        Err(err) => log::warn!(target: LOG_TARGET, "cannot raise the open-files limit: {err}"),
    }
}

/// What every listener shares: one upstream set, one static-file cache, one count of
/// connections and one set of rate-limit buckets, and the metrics when they are on.
struct Shared {
    config: Arc<ProxyConfig>,
    upstreams: Arc<Upstreams>,
    static_files: Arc<StaticFiles>,
    connections: Arc<ConnectionLimits>,
    rate_limits: Arc<RateLimits>,
    metrics: Option<Arc<ProxyMetrics>>,
}

impl Shared {
    /// The listening service named `name` for `listener`: pingora's HTTP proxy with the
    /// connection caps and the header bounds.
    fn listening_service(
        &self,
        server: &Server,
        listener: Listener,
        name: &str,
    ) -> Service<HttpProxy<ProxyService>> {
        let service = ProxyService::new(
            self.config.clone(),
            self.upstreams.clone(),
            self.static_files.clone(),
            self.rate_limits.clone(),
            listener,
            self.metrics.clone(),
        );
        let mut proxy = pingora::proxy::http_proxy(&server.configuration, service);
        let (http, h2) = self.config.connections.http_options();
        proxy.server_options = Some(http);
        proxy.h2_options = Some(h2);
        let mut listening = Service::new(name.to_owned(), proxy);
        listening.set_connection_filter(self.connections.clone());
        listening
    }
}

/// The pingora server with every service added, and the listeners logged (HTTPS first: tests
/// take the HTTP line as the sign that both are there).
pub fn build(config: Arc<ProxyConfig>) -> Result<Server, StartupError> {
    let conf = ServerConf {
        threads: config.threads,
        // pingora's default grace period is 300 s, far beyond Docker's 10 s or an ECS stop
        // timeout: in-flight requests get the configured grace, then the process exits.
        grace_period_seconds: Some(config.shutdown_grace.as_secs()),
        graceful_shutdown_timeout_seconds: Some(FINAL_SHUTDOWN_SECS),
        upstream_keepalive_pool_size: 256,
        // Each listener's runtime runs its static-file disk work (path lookups, reads of files
        // not yet cached, large files streamed) on blocking threads. tokio allows 512, and a
        // burst of lookups after the cache's 2 s expiry started one per waiting connection
        // (28 threads after a short load, each with its stack and allocator pages): a few
        // per worker thread keep the disk busy without that.
        max_blocking_threads: Some(config.threads.max(1) * BLOCKING_THREADS_PER_WORKER),
        ..ServerConf::default()
    };
    let mut server = Server::new_with_opt_and_conf(None, conf);
    server.bootstrap();

    let (upstreams, discovery) = Upstreams::new(&config.upstreams);
    server.add_service(discovery);
    // Counted only when someone can read them.
    let metrics = config.metrics_listen.map(|_| Arc::new(ProxyMetrics::new()));
    let static_files = Arc::new(StaticFiles::new(
        config.static_dir.clone(),
        config.static_max_age,
        config.static_max_body_bytes,
        metrics
            .as_ref()
            .map(|metrics| (metrics.path_cache.clone(), metrics.body_cache.clone())),
    ));
    // One count of connections and one set of buckets for both listeners.
    let connections = Arc::new(ConnectionLimits::new(
        &config.connections,
        config.trusted_proxies.clone(),
    ));
    let rate_limits = Arc::new(RateLimits::new(&config.rates, &config.api_prefixes));
    server.add_service(background_service(
        "rate-limit pruning",
        Pruner(rate_limits.clone()),
    ));
    let shared = Shared {
        config: config.clone(),
        upstreams,
        static_files,
        connections,
        rate_limits,
        metrics,
    };

    let (challenges, certificates) = match &config.tls {
        Some(tls) => {
            let (challenges, store) = add_https(&mut server, &shared, tls)?;
            (challenges, Some(store))
        }
        None => (None, None),
    };

    if let (Some(metrics), Some(address)) = (&shared.metrics, config.metrics_listen) {
        server.add_service(endpoint::service(
            address,
            &config,
            metrics.clone(),
            shared.connections.clone(),
            shared.upstreams.clone(),
            certificates,
        ));
        log::info!(
            target: LOG_TARGET,
            "proxy metrics on http://{address}{}",
            endpoint::METRICS_PATH
        );
    }

    let mut http = shared.listening_service(&server, Listener::Http { challenges }, "HTTP");
    http.add_listener(connections::endpoint(config.listen, None));
    server.add_service(http);

    let upstreams: Vec<String> = config
        .upstreams
        .targets
        .iter()
        .map(ToString::to_string)
        .collect();
    log::info!(
        target: LOG_TARGET,
        "proxy listening on http://{} (static files from {}, API prefixes {:?} -> {})",
        config.listen,
        config.static_dir.display(),
        config.api_prefixes.as_slice(),
        upstreams.join(", "),
    );
    Ok(server)
}

/// The HTTPS listener and where its certificates come from (files re-read when they change,
/// ACME): the ACME challenges the HTTP listener answers, if any, and the certificate store.
fn add_https(
    server: &mut Server,
    shared: &Shared,
    tls: &TlsConfig,
) -> Result<(Option<Challenges>, Arc<CertStore>), StartupError> {
    let store = CertStore::new();
    if !tls.files.is_empty() {
        let files = CertificateFiles::load(tls.files.clone(), store.clone(), tls.reload)?;
        server.add_service(background_service("certificate files", files));
    }
    let mut challenges = None;
    if let Some(acme) = &tls.acme {
        let (manager, tokens) = AcmeManager::new(acme.clone(), store.clone())?;
        challenges = Some(tokens);
        server.add_service(background_service("acme", manager));
    }
    let handshakes = shared
        .metrics
        .as_ref()
        .map(|metrics| metrics.handshakes.clone());
    let settings = crate::tls::listener_settings(store.clone(), handshakes)
        .map_err(StartupError::TlsSettings)?;
    let mut https = shared.listening_service(server, Listener::Https, "HTTPS");
    https.add_listener(connections::endpoint(tls.listen, Some(settings)));
    server.add_service(https);
    log::info!(target: LOG_TARGET, "proxy listening on https://{}", tls.listen);
    Ok((challenges, store))
}
