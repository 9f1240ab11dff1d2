//! The HTTP settings: where the server listens, and what it accepts.

use std::path::PathBuf;

use clap::Args;

use super::{DEFAULT_CORS_ORIGINS, DEFAULT_LISTEN, DEFAULT_TRUSTED_PROXIES};

/// The server's address on its own, for `healthcheck`, which asks the server there.
#[derive(Debug, Args)]
#[command(next_help_heading = "HTTP")]
pub struct ListenOptions {
    /// Address (host:port) the HTTP server listens on.
    #[arg(long, env = "API_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: String,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "HTTP")]
pub struct HttpOptions {
    /// Worker threads; 0 means one per CPU.
    #[arg(long, env = "API_WORKERS", default_value_t = 0)]
    pub workers: usize,

    /// Comma-separated origins allowed by CORS (`*` allows any).
    #[arg(long, env = "API_CORS_ORIGINS", default_value = DEFAULT_CORS_ORIGINS)]
    pub cors_origins: String,

    /// Folder of a built web UI to serve at `/` (development convenience; the proxy does this in
    /// deployments).
    #[arg(long, env = "API_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// Comma-separated proxy addresses or CIDRs whose X-Forwarded-For / X-Real-IP are believed;
    /// from any other peer the TCP address is the client's. Empty trusts nobody.
    #[arg(long, env = "API_TRUSTED_PROXIES", default_value = DEFAULT_TRUSTED_PROXIES)]
    pub trusted_proxies: String,

    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT.
    #[arg(long, env = "API_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30)]
    pub shutdown_timeout_secs: u64,
}
