//! The "Upstreams" and "Health checks" settings parsed into what the upstream set is built
//! from (the health checks are the upstreams', but for the proxy's own endpoint).

use super::error::ConfigError;
use super::values::{absolute_path, at_least_one_second};
use crate::cli::{off_when_zero, HealthCheckOptions, UpstreamOptions};
use crate::routing::ApiPrefixes;
use crate::upstreams::{UpstreamSettings, UpstreamTarget};

pub fn upstream_settings(
    options: &UpstreamOptions,
    health_checks: &HealthCheckOptions,
) -> Result<UpstreamSettings, ConfigError> {
    Ok(UpstreamSettings {
        targets: UpstreamTarget::parse_list(&options.upstreams)
            .map_err(|err| ConfigError::new("PROXY_UPSTREAMS", err))?,
        hosts_file: options.hosts_file.clone(),
        health_path: absolute_path(
            "PROXY_UPSTREAM_HEALTH_PATH",
            &health_checks.upstream_health_path,
        )?,
        health_interval: at_least_one_second(
            "PROXY_HEALTH_INTERVAL_SECS",
            health_checks.health_interval_secs,
        )?,
        dns_refresh: at_least_one_second("PROXY_DNS_REFRESH_SECS", options.dns_refresh_secs)?,
        passive_cooldown: off_when_zero(health_checks.passive_cooldown_secs),
        connect_timeout: at_least_one_second(
            "PROXY_CONNECT_TIMEOUT_SECS",
            options.connect_timeout_secs,
        )?,
    })
}

pub fn api_prefixes(options: &UpstreamOptions) -> Result<ApiPrefixes, ConfigError> {
    ApiPrefixes::parse(&options.api_prefixes)
        .map_err(|err| ConfigError::new("PROXY_API_PREFIXES", err))
}
