//! The "Health checks" settings: the proxy's own health endpoint, and how it checks its
//! upstreams, actively (a request every interval) and passively (a failed connection).

use clap::Args;

#[derive(Debug, Args)]
#[command(next_help_heading = "Health checks")]
pub struct HealthCheckOptions {
    /// The proxy's own health endpoint (answered here, never forwarded).
    #[arg(long, env = "PROXY_HEALTH_PATH", default_value = "/healthz")]
    pub health_path: String,

    /// Path the active health check requests from every upstream.
    #[arg(
        long,
        env = "PROXY_UPSTREAM_HEALTH_PATH",
        default_value = shared::paths::API_HEALTH
    )]
    pub upstream_health_path: String,

    /// Seconds between active health checks of the upstreams.
    #[arg(long, env = "PROXY_HEALTH_INTERVAL_SECS", default_value_t = 2)]
    pub health_interval_secs: u64,

    /// Seconds an upstream that refused or dropped a connection is skipped (passive health;
    /// 0 = off).
    #[arg(long, env = "PROXY_PASSIVE_COOLDOWN_SECS", default_value_t = 5)]
    pub passive_cooldown_secs: u64,
}
