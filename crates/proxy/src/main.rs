use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use pingora::server::configuration::ServerConf;
use pingora::server::Server;
use proxy::config::{Command, Options, ProxyConfig};
use proxy::service::ProxyService;
use proxy::upstreams::Upstreams;

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

fn run(config: Arc<ProxyConfig>) -> ExitCode {
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

    let (upstreams, discovery) = Upstreams::new(&config);
    let mut http = pingora::proxy::http_proxy_service(
        &server.configuration,
        ProxyService::new(config.clone(), upstreams),
    );
    http.add_tcp(&config.listen.to_string());
    server.add_service(discovery);
    server.add_service(http);

    let upstreams: Vec<String> = config.upstreams.iter().map(ToString::to_string).collect();
    log::info!(
        "proxy listening on http://{} (static files from {}, API prefixes {:?} -> {})",
        config.listen,
        config.static_dir.display(),
        config.api_prefixes,
        upstreams.join(", "),
    );
    server.run_forever()
}
