//! The "Listeners" settings: where the proxy listens, and how its server runs and stops.

use clap::Args;

#[derive(Debug, Args)]
#[command(next_help_heading = "Listeners")]
pub struct ListenerOptions {
    /// Address (ip:port) to listen on for HTTP.
    #[arg(long, env = "PROXY_LISTEN", default_value = "0.0.0.0:8080")]
    pub listen: String,

    /// Address (ip:port) of a listener of its own for the Prometheus metrics (GET /metrics);
    /// empty means no metrics.
    #[arg(long, env = "PROXY_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,

    /// Seconds in-flight requests get to finish after SIGTERM before the process exits
    /// (0 = exit at once).
    #[arg(long, env = "PROXY_SHUTDOWN_GRACE_SECS", default_value_t = 5)]
    pub shutdown_grace_secs: u64,

    /// Worker threads; 0 means one per CPU.
    #[arg(long, env = "PROXY_THREADS", default_value_t = 0)]
    pub threads: usize,
}
