//! Configuration: the command line ([`crate::cli::Options`]) parsed and validated once at
//! start-up into [`ProxyConfig`]; the request path only ever reads that struct, never the
//! environment. Each part's own type comes from its module (upstreams, routing, edge, TLS).
//!
//! The settings are parsed by the file of their `--help` heading (`listeners`, `upstreams`,
//! `static_files`, `limits`, `tls`), by the rules every value follows (`values`); what can be
//! wrong with one is a [`ConfigError`]. They are checked in one fixed order, so the
//! first bad setting is the one reported.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

mod error;
mod limits;
mod listeners;
mod static_files;
mod tls;
mod upstreams;
mod values;

#[cfg(test)]
mod tests;

pub use error::{ConfigError, InvalidValue};
pub use tls::TlsConfig;

use crate::cli::Options;
use crate::client_ip::{self, TrustedProxies};
use crate::connections::ConnectionSettings;
use crate::edge::EdgePolicy;
use crate::rate_limits::RateSettings;
use crate::routing::ApiPrefixes;
use crate::upstreams::UpstreamSettings;

#[derive(Debug, Clone)]
pub struct ProxyConfig {
    pub listen: SocketAddr,
    /// The metrics listener; `None`: no metrics.
    pub metrics_listen: Option<SocketAddr>,
    pub upstreams: UpstreamSettings,
    pub static_dir: PathBuf,
    pub api_prefixes: ApiPrefixes,
    pub health_path: String,
    pub upstream_timeout: Duration,
    pub connections: ConnectionSettings,
    pub trusted_proxies: TrustedProxies,
    pub rates: RateSettings,
    pub static_max_body_bytes: u64,
    pub static_max_age: Duration,
    pub shutdown_grace: Duration,
    pub threads: usize,
    pub tls: Option<TlsConfig>,
    pub edge: EdgePolicy,
}

impl ProxyConfig {
    pub fn from_options(options: &Options) -> Result<Self, ConfigError> {
        let listen = values::address("PROXY_LISTEN", &options.listeners.listen)?;
        let static_dir = static_files::static_dir(&options.static_files)?;
        let connections = limits::connections(&options.limits)?;
        let forwarded = &options.forwarded_headers;
        let trusted_proxies = client_ip::trusted_proxies(
            forwarded.trusted_proxies.as_deref().unwrap_or_default(),
            forwarded.trust_forwarded,
        )
        .map_err(|err| ConfigError::new("PROXY_TRUSTED_PROXIES", err))?;
        let rates = limits::rates(&options.limits)?;
        let upstreams = upstreams::upstream_settings(&options.upstreams, &options.health_checks)?;
        let tls = tls::tls_config(&options.tls)?;
        tls::check_hsts_preload(&options.tls)?;
        let metrics_listen = listeners::metrics_listen(&options.listeners, listen, tls.as_ref())?;
        let edge = EdgePolicy::from_options(options, tls.as_ref().map(|tls| tls.listen.port()));
        Ok(Self {
            listen,
            metrics_listen,
            upstreams,
            static_dir,
            api_prefixes: upstreams::api_prefixes(&options.upstreams)?,
            health_path: values::absolute_path(
                "PROXY_HEALTH_PATH",
                &options.health_checks.health_path,
            )?,
            upstream_timeout: values::at_least_one_second(
                "PROXY_UPSTREAM_TIMEOUT_SECS",
                options.upstreams.upstream_timeout_secs,
            )?,
            connections,
            trusted_proxies,
            rates,
            static_max_body_bytes: options.static_files.static_max_body_bytes,
            static_max_age: Duration::from_secs(options.static_files.static_max_age_secs),
            shutdown_grace: Duration::from_secs(options.listeners.shutdown_grace_secs),
            threads: listeners::threads(&options.listeners),
            tls,
            edge,
        })
    }
}
