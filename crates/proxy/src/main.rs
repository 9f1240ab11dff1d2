use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use pingora::proxy::HttpProxy;
use pingora::server::configuration::ServerConf;
use pingora::server::Server;
use pingora::services::background::background_service;
use pingora::services::listening::Service;
use proxy::cli::{Command, Options};
use proxy::config::ProxyConfig;
use proxy::connections::{self, ConnectionLimits};
use proxy::listener::Listener;
use proxy::metrics::{endpoint, ProxyMetrics};
use proxy::rate_limits::{Pruner, RateLimits};
use proxy::service::ProxyService;
use proxy::static_files::StaticFiles;
use proxy::tls::acme::AcmeManager;
use proxy::tls::{CertStore, CertificateFiles};
use proxy::upstreams::Upstreams;
use tokio::net::TcpSocket;

/// pingora allocates per request on several threads at once; glibc's allocator serialises
/// them on arena locks (a fifth of the proxied-request profile), mimalloc's per-thread heaps do
/// not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
shared::lean_allocator!();

/// Blocking threads (disk work) per worker thread of a listener's runtime.
const BLOCKING_THREADS_PER_WORKER: usize = 2;

/// Seconds the final step of shutdown may take after the grace period.
const FINAL_SHUTDOWN_SECS: u64 = 2;

fn main() -> ExitCode {
    let dotenv = shared::env::load_dotenv();
    let mut options = Options::parse();
    shared::logging::init("info", options.log_format);
    if let Err(err) = dotenv {
        eprintln!("proxy: {err}");
        return ExitCode::from(2);
    }
    if let Some(Command::Healthcheck) = options.command {
        return healthcheck(&options);
    }
    // Held until the process exits.
    let _reserved = match reserve_any_ports(&mut options) {
        Ok(reserved) => reserved,
        Err(err) => {
            eprintln!("proxy: {err}");
            return ExitCode::FAILURE;
        }
    };
    let config = match ProxyConfig::from_options(&options) {
        Ok(config) => Arc::new(config),
        Err(err) => {
            eprintln!("proxy: invalid configuration: {err}");
            return ExitCode::from(2);
        }
    };
    run(config)
}

fn healthcheck(options: &Options) -> ExitCode {
    let probed = options
        .listen
        .trim()
        .parse()
        .map_err(|_| {
            format!(
                "PROXY_LISTEN {:?} is not an ip:port address",
                options.listen
            )
        })
        .and_then(|listen| {
            shared::probe::probe(
                listen,
                &options.health_path,
                std::time::Duration::from_secs(3),
            )
        });
    match probed {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("proxy: unhealthy: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Port 0 asks for any free port. The proxy picks it here rather than leaving it to pingora, so
/// what derives from it (the HTTPS redirect port) and the start-up log carry the real port. The
/// socket that picked it stays bound, never listening, while the proxy runs: the kernel gives
/// the port to no one else asking for any port, and pingora's listeners, which set SO_REUSEADDR
/// as this socket does, bind beside it.
fn reserve_any_ports(options: &mut Options) -> Result<Vec<TcpSocket>, String> {
    let mut reserved = Vec::new();
    let addresses = [
        ("PROXY_LISTEN", Some(&mut options.listen)),
        ("PROXY_TLS_LISTEN", options.tls_listen.as_mut()),
        ("PROXY_METRICS_LISTEN", options.metrics_listen.as_mut()),
    ];
    for (setting, address) in addresses {
        // Anything but an ip:port with port 0 is the configuration's to accept or refuse.
        let Some(requested) = address
            .as_ref()
            .and_then(|address| address.trim().parse::<SocketAddr>().ok())
            .filter(|requested| requested.port() == 0)
        else {
            continue;
        };
        let socket = if requested.is_ipv4() {
            TcpSocket::new_v4()
        } else {
            TcpSocket::new_v6()
        };
        let (socket, bound) = socket
            .and_then(|socket| {
                socket.set_reuseaddr(true)?;
                socket.bind(requested)?;
                let bound = socket.local_addr()?;
                Ok((socket, bound))
            })
            .map_err(|err| format!("{setting}: cannot listen on {requested}: {err}"))?;
        if let Some(address) = address {
            *address = bound.to_string();
        }
        reserved.push(socket);
    }
    Ok(reserved)
}

/// Binds each listen address once before pingora does: a port already in use is then a clear
/// start-up error and exit status, where pingora would fail inside a worker and keep running.
fn check_listen_addresses(config: &ProxyConfig) -> Result<(), String> {
    let addresses = std::iter::once(("PROXY_LISTEN", config.listen))
        .chain(
            config
                .tls
                .as_ref()
                .map(|tls| ("PROXY_TLS_LISTEN", tls.listen)),
        )
        .chain(
            config
                .metrics_listen
                .map(|address| ("PROXY_METRICS_LISTEN", address)),
        );
    for (setting, address) in addresses {
        std::net::TcpListener::bind(address)
            .map_err(|err| format!("{setting}: cannot listen on {address}: {err}"))?;
    }
    Ok(())
}

/// Every client connection is a file descriptor, and so is each upstream connection and open
/// file: the soft limit, often 1024, is raised to the hard one, as servers do.
fn raise_open_files_limit(config: &ProxyConfig) {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => {
            let needed = config
                .connections
                .max_total
                .map(|max| max as u64 * 2)
                .unwrap_or(0);
            if needed > limit {
                log::warn!(
                    "the open-files limit is {limit}: PROXY_MAX_CONNECTIONS connections and \
                     their upstream connections may not fit"
                );
            }
        }
        Err(err) => log::warn!("cannot raise the open-files limit: {err}"),
    }
}

/// The listening service named `name` for `service`: pingora's HTTP proxy with the
/// connection caps and the header bounds.
fn listening_service(
    server: &Server,
    service: ProxyService,
    name: &str,
    config: &ProxyConfig,
    connections: &Arc<ConnectionLimits>,
) -> Service<HttpProxy<ProxyService>> {
    let mut proxy = pingora::proxy::http_proxy(&server.configuration, service);
    let (http, h2) = config.connections.http_options();
    proxy.server_options = Some(http);
    proxy.h2_options = Some(h2);
    let mut listening = Service::new(name.to_owned(), proxy);
    listening.set_connection_filter(connections.clone());
    listening
}

fn run(config: Arc<ProxyConfig>) -> ExitCode {
    if let Err(err) = check_listen_addresses(&config) {
        eprintln!("proxy: {err}");
        return ExitCode::FAILURE;
    }
    raise_open_files_limit(&config);
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

    let mut challenges = None;
    let mut certificates = None;
    if let Some(tls) = &config.tls {
        let store = CertStore::new();
        certificates = Some(store.clone());
        if !tls.files.is_empty() {
            match CertificateFiles::load(tls.files.clone(), store.clone(), tls.reload) {
                Ok(files) => {
                    server.add_service(background_service("certificate files", files));
                }
                Err(err) => {
                    eprintln!("proxy: invalid configuration: PROXY_TLS_CERT: {err}");
                    return ExitCode::from(2);
                }
            }
        }
        if let Some(acme) = &tls.acme {
            match AcmeManager::new(acme.clone(), store.clone()) {
                Ok((manager, tokens)) => {
                    challenges = Some(tokens);
                    server.add_service(background_service("acme", manager));
                }
                Err(err) => {
                    eprintln!("proxy: invalid configuration: {err}");
                    return ExitCode::from(2);
                }
            }
        }
        let handshakes = metrics.as_ref().map(|metrics| metrics.handshakes.clone());
        let settings = match proxy::tls::listener_settings(store, handshakes) {
            Ok(settings) => settings,
            Err(err) => {
                eprintln!("proxy: TLS set-up failed: {err}");
                return ExitCode::from(2);
            }
        };
        let service = ProxyService::new(
            config.clone(),
            upstreams.clone(),
            static_files.clone(),
            rate_limits.clone(),
            Listener::Https,
            metrics.clone(),
        );
        let mut https = listening_service(&server, service, "HTTPS", &config, &connections);
        https.add_listener(connections::endpoint(tls.listen, Some(settings)));
        server.add_service(https);
        log::info!("proxy listening on https://{}", tls.listen);
    }

    if let (Some(metrics), Some(address)) = (&metrics, config.metrics_listen) {
        server.add_service(endpoint::service(
            address,
            &config,
            metrics.clone(),
            connections.clone(),
            upstreams.clone(),
            certificates,
        ));
        log::info!(
            "proxy metrics on http://{address}{}",
            endpoint::METRICS_PATH
        );
    }

    let service = ProxyService::new(
        config.clone(),
        upstreams,
        static_files,
        rate_limits,
        Listener::Http { challenges },
        metrics,
    );
    let mut http = listening_service(&server, service, "HTTP", &config, &connections);
    http.add_listener(connections::endpoint(config.listen, None));
    server.add_service(http);

    let upstreams: Vec<String> = config
        .upstreams
        .targets
        .iter()
        .map(ToString::to_string)
        .collect();
    log::info!(
        "proxy listening on http://{} (static files from {}, API prefixes {:?} -> {})",
        config.listen,
        config.static_dir.display(),
        config.api_prefixes.as_slice(),
        upstreams.join(", "),
    );
    server.run_forever()
}
