//! The "Limits" settings: what one client may take, in time, header size, connections and
//! requests per second or minute.

use clap::Args;

#[derive(Debug, Args)]
#[command(next_help_heading = "Limits")]
pub struct LimitOptions {
    /// Seconds a client may stay silent (reading or writing) before it is disconnected.
    #[arg(long, env = "PROXY_CLIENT_TIMEOUT_SECS", default_value_t = 60)]
    pub client_timeout_secs: u64,

    /// Seconds an idle client keep-alive connection is kept open (0 = no keep-alive).
    #[arg(long, env = "PROXY_KEEPALIVE_SECS", default_value_t = 60)]
    pub keepalive_secs: u64,

    /// Largest request header, request line included, in bytes; a larger one is refused with
    /// 431 while it is read, never buffered whole.
    #[arg(long, env = "PROXY_MAX_HEADER_BYTES", default_value_t = 32 * 1024)]
    pub max_header_bytes: usize,

    /// Seconds a request's header may take to arrive from its first byte (408 after); a new
    /// connection gets as long to send that first byte.
    #[arg(long, env = "PROXY_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,

    /// Most client connections open at once; more are closed at accept (0 = no cap).
    #[arg(long, env = "PROXY_MAX_CONNECTIONS", default_value_t = 2048)]
    pub max_connections: usize,

    /// Most connections open at once from one client address (an IPv6 /64 counts as one;
    /// trusted proxies are exempt; 0 = no cap).
    #[arg(long, env = "PROXY_MAX_CONNECTIONS_PER_IP", default_value_t = 128)]
    pub max_connections_per_ip: usize,

    /// Logins and registrations (POST to token/ or users/ under an API prefix) per minute
    /// from one client address; past it, 429 (0 = no limit).
    #[arg(long, env = "PROXY_RATE_LOGIN_PER_MIN", default_value_t = 10)]
    pub rate_login_per_min: u32,

    /// Logins and registrations one client address may make at once before the per-minute
    /// rate applies.
    #[arg(long, env = "PROXY_RATE_LOGIN_BURST", default_value_t = 5)]
    pub rate_login_burst: u32,

    /// Other API requests per second from one client address; past it, 429 (0 = no limit).
    #[arg(long, env = "PROXY_RATE_API_PER_SEC", default_value_t = 20)]
    pub rate_api_per_sec: u32,

    /// API requests one client address may make at once before the per-second rate applies.
    #[arg(long, env = "PROXY_RATE_API_BURST", default_value_t = 40)]
    pub rate_api_burst: u32,

    /// Static-file requests per second from one client address; past it, 429 (0 = no limit).
    #[arg(long, env = "PROXY_RATE_STATIC_PER_SEC", default_value_t = 100)]
    pub rate_static_per_sec: u32,

    /// Static-file requests one client address may make at once before the per-second rate
    /// applies.
    #[arg(long, env = "PROXY_RATE_STATIC_BURST", default_value_t = 200)]
    pub rate_static_burst: u32,
}
