use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use pingora::server::configuration::ServerConf;
use pingora::server::Server;
use pingora::services::background::background_service;
use proxy::cli::{Command, Options};
use proxy::config::ProxyConfig;
use proxy::listener::Listener;
use proxy::service::ProxyService;
use proxy::static_files::StaticFiles;
use proxy::tls::acme::AcmeManager;
use proxy::tls::{CertStore, CertificateFiles};
use proxy::upstreams::Upstreams;

/// pingora allocates per request on several threads at once; glibc's allocator serialises
/// them on arena locks (a fifth of the proxied-request profile), mimalloc's per-thread heaps do
/// not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Seconds the final step of shutdown may take after the grace period.
const FINAL_SHUTDOWN_SECS: u64 = 2;

fn main() -> ExitCode {
    let dotenv = shared::env::load_dotenv();
    let options = Options::parse();
    shared::logging::init("info");
    if let Err(err) = dotenv {
        eprintln!("proxy: {err}");
        return ExitCode::from(2);
    }
    if let Some(Command::Healthcheck) = options.command {
        return healthcheck(&options);
    }
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

/// Binds each listen address once before pingora does: a port already in use is then a clear
/// start-up error and exit status, where pingora would fail inside a worker and keep running.
fn check_listen_addresses(config: &ProxyConfig) -> Result<(), String> {
    let addresses = std::iter::once(("PROXY_LISTEN", config.listen)).chain(
        config
            .tls
            .as_ref()
            .map(|tls| ("PROXY_TLS_LISTEN", tls.listen)),
    );
    for (setting, address) in addresses {
        std::net::TcpListener::bind(address)
            .map_err(|err| format!("{setting}: cannot listen on {address}: {err}"))?;
    }
    Ok(())
}

fn run(config: Arc<ProxyConfig>) -> ExitCode {
    if let Err(err) = check_listen_addresses(&config) {
        eprintln!("proxy: {err}");
        return ExitCode::FAILURE;
    }
    let conf = ServerConf {
        threads: config.threads,
        // pingora's default grace period is 300 s, far beyond Docker's 10 s or an ECS stop
        // timeout: in-flight requests get the configured grace, then the process exits.
        grace_period_seconds: Some(config.shutdown_grace.as_secs()),
        graceful_shutdown_timeout_seconds: Some(FINAL_SHUTDOWN_SECS),
        upstream_keepalive_pool_size: 256,
        ..ServerConf::default()
    };
    let mut server = Server::new_with_opt_and_conf(None, conf);
    server.bootstrap();

    let (upstreams, discovery) = Upstreams::new(&config.upstreams);
    server.add_service(discovery);
    let static_files = Arc::new(StaticFiles::new(
        config.static_dir.clone(),
        config.static_max_age,
        config.static_max_body_bytes,
    ));

    let mut challenges = None;
    if let Some(tls) = &config.tls {
        let store = CertStore::new();
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
        let settings = match proxy::tls::listener_settings(store) {
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
            Listener::Https,
        );
        let mut https =
            pingora::proxy::http_proxy_service_with_name(&server.configuration, service, "HTTPS");
        https.add_tls_with_settings(&tls.listen.to_string(), None, settings);
        server.add_service(https);
        log::info!("proxy listening on https://{}", tls.listen);
    }

    let service = ProxyService::new(
        config.clone(),
        upstreams,
        static_files,
        Listener::Http { challenges },
    );
    let mut http =
        pingora::proxy::http_proxy_service_with_name(&server.configuration, service, "HTTP");
    http.add_tcp(&config.listen.to_string());
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
