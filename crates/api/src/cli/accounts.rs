//! The Tokens and Logins settings: sessions, and how failed logins back off.

use clap::Args;

use super::Environment;

#[derive(Debug, Args)]
#[command(next_help_heading = "Tokens")]
pub struct TokenOptions {
    /// Deployment mode; anything but development insists on a real SECRET_KEY.
    #[arg(
        long = "env",
        env = "APP_ENV",
        value_enum,
        default_value = "development"
    )]
    pub environment: Environment,

    /// Access-token lifetime in seconds.
    #[arg(long, env = "ACCESS_TOKEN_LIFETIME_SECS", default_value_t = 15 * 60)]
    pub access_token_lifetime_secs: u64,

    /// Refresh-token lifetime in seconds.
    #[arg(long, env = "REFRESH_TOKEN_LIFETIME_SECS", default_value_t = 24 * 60 * 60)]
    pub refresh_token_lifetime_secs: u64,

    /// Milliseconds a token's account check is reused by this process. Logouts, password
    /// changes and deletions made through this process take effect at once; changes made
    /// elsewhere (another replica, SQL, an admin command) within this. 0 checks every request.
    #[arg(long, env = "ACCOUNT_CACHE_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub account_cache_ms: u64,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Logins")]
pub struct LoginOptions {
    /// Password hashes computed at once; 0 means one per CPU.
    #[arg(long, env = "API_HASH_THREADS", default_value_t = 0)]
    pub hash_threads: usize,

    /// Requests that may wait for a hashing thread; past that, logins and registrations are
    /// answered 503 "busy" at once.
    #[arg(long, env = "API_HASH_QUEUE", default_value_t = 16)]
    pub hash_queue: usize,

    /// Failed logins for one username from one client address before that pair is locked out
    /// for a while; 0 turns it off.
    #[arg(long, env = "API_LOGIN_FAILURES_PER_USERNAME", default_value_t = 5)]
    pub login_failures_per_username: u32,

    /// Failed logins for one username from all addresses together before it is locked out,
    /// except at addresses its owner logged in from (within the refresh-token lifetime); 0
    /// turns it off.
    #[arg(long, env = "API_LOGIN_FAILURES_PER_ACCOUNT", default_value_t = 100)]
    pub login_failures_per_account: u32,

    /// Failed logins from one client address (IPv6: one /64) before it is locked out; 0 turns
    /// it off.
    #[arg(long, env = "API_LOGIN_FAILURES_PER_IP", default_value_t = 20)]
    pub login_failures_per_ip: u32,

    /// Seconds of the first lock-out; each further failure doubles it.
    #[arg(long, env = "API_LOGIN_BACKOFF_SECS", default_value_t = 30)]
    pub login_backoff_secs: u64,

    /// The longest lock-out, in seconds.
    #[arg(long, env = "API_LOGIN_BACKOFF_MAX_SECS", default_value_t = 900)]
    pub login_backoff_max_secs: u64,

    /// Seconds after its last failure (and lock-out) that a failed-login count is forgotten.
    #[arg(long, env = "API_LOGIN_FAILURES_RESET_SECS", default_value_t = 3600)]
    pub login_failures_reset_secs: u64,

    /// Seconds between deletions of expired login counters and sessions.
    #[arg(long, env = "API_PRUNE_INTERVAL_SECS", default_value_t = 600)]
    pub prune_interval_secs: u64,
}
