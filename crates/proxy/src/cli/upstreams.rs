//! The "Upstreams" settings: the API servers requests are forwarded to, which paths go there,
//! and how long they may take.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
#[command(next_help_heading = "Upstreams")]
pub struct UpstreamOptions {
    /// Comma-separated upstream API servers as host:port. Names are resolved through DNS and
    /// re-resolved periodically; every address of a name is used.
    #[arg(long, env = "PROXY_UPSTREAMS", default_value = "127.0.0.1:8000")]
    pub upstreams: String,

    /// Comma-separated path prefixes forwarded to the upstreams; everything else is static.
    #[arg(
        long,
        env = "PROXY_API_PREFIXES",
        default_value = shared::paths::API_PREFIXES_SETTING
    )]
    pub api_prefixes: String,

    /// Seconds between DNS re-resolutions of the upstream names.
    #[arg(long, env = "PROXY_DNS_REFRESH_SECS", default_value_t = 5)]
    pub dns_refresh_secs: u64,

    /// A hosts-format file consulted before DNS for upstream names (re-read at every refresh).
    #[arg(long, env = "PROXY_HOSTS_FILE")]
    pub hosts_file: Option<PathBuf>,

    /// Seconds to establish a connection to an upstream.
    #[arg(long, env = "PROXY_CONNECT_TIMEOUT_SECS", default_value_t = 3)]
    pub connect_timeout_secs: u64,

    /// Seconds an upstream may stay silent (reading or writing) before the request is a 504.
    #[arg(long, env = "PROXY_UPSTREAM_TIMEOUT_SECS", default_value_t = 60)]
    pub upstream_timeout_secs: u64,
}
