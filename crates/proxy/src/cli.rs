//! The command line: every flag and its environment variable (clap), and the rules for reading
//! their values that `--help` states. [`crate::config`] turns them into the parsed settings.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use shared::logging::LogFormat;

const AFTER_HELP: &str = "\
Zero in a seconds setting turns off what can be off (keep-alive, passive cooldown, HSTS, the
shutdown grace, browser caching of plain static files) and is a start-up error for the rest
(timeouts, health and DNS intervals, certificate reloads and expiry checks, ACME renew-before).
Zero also turns off a connection cap or a rate limit; a rate that is on needs a burst of 1 or more.

Environment only:
  RUST_LOG   Log filter, e.g. `info` or `proxy=debug,access=info` [default: info]. Access-log
             lines use the target `access`.

Settings are read from flags, then the environment, then a `.env` file in the working
directory, then the defaults shown above.";

#[derive(Debug, Parser)]
#[command(
    name = "proxy",
    version,
    about = "Serves the web UI and forwards the API to its upstream servers."
)]
#[command(after_help = AFTER_HELP)]
pub struct Options {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address (ip:port) to listen on for HTTP.
    #[arg(
        long,
        env = "PROXY_LISTEN",
        default_value = "0.0.0.0:8080",
        help_heading = "Listeners"
    )]
    pub listen: String,

    /// Address (ip:port) of a listener of its own for the Prometheus metrics (GET /metrics);
    /// empty means no metrics.
    #[arg(long, env = "PROXY_METRICS_LISTEN", help_heading = "Listeners")]
    pub metrics_listen: Option<String>,

    /// Comma-separated upstream API servers as host:port. Names are resolved through DNS and
    /// re-resolved periodically; every address of a name is used.
    #[arg(
        long,
        env = "PROXY_UPSTREAMS",
        default_value = "127.0.0.1:8000",
        help_heading = "Upstreams"
    )]
    pub upstreams: String,

    /// Folder of the web UI to serve.
    #[arg(
        long,
        env = "PROXY_STATIC_DIR",
        default_value = "web",
        help_heading = "Static files"
    )]
    pub static_dir: PathBuf,

    /// Comma-separated path prefixes forwarded to the upstreams; everything else is static.
    #[arg(
        long,
        env = "PROXY_API_PREFIXES",
        default_value = shared::paths::API_PREFIXES_SETTING,
        help_heading = "Upstreams"
    )]
    pub api_prefixes: String,

    /// The proxy's own health endpoint (answered here, never forwarded).
    #[arg(
        long,
        env = "PROXY_HEALTH_PATH",
        default_value = "/healthz",
        help_heading = "Health checks"
    )]
    pub health_path: String,

    /// Path the active health check requests from every upstream.
    #[arg(
        long,
        env = "PROXY_UPSTREAM_HEALTH_PATH",
        default_value = shared::paths::API_HEALTH,
        help_heading = "Health checks"
    )]
    pub upstream_health_path: String,

    /// Seconds between active health checks of the upstreams.
    #[arg(
        long,
        env = "PROXY_HEALTH_INTERVAL_SECS",
        default_value_t = 2,
        help_heading = "Health checks"
    )]
    pub health_interval_secs: u64,

    /// Seconds between DNS re-resolutions of the upstream names.
    #[arg(
        long,
        env = "PROXY_DNS_REFRESH_SECS",
        default_value_t = 5,
        help_heading = "Upstreams"
    )]
    pub dns_refresh_secs: u64,

    /// A hosts-format file consulted before DNS for upstream names (re-read at every refresh).
    #[arg(long, env = "PROXY_HOSTS_FILE", help_heading = "Upstreams")]
    pub hosts_file: Option<PathBuf>,

    /// Seconds an upstream that refused or dropped a connection is skipped (passive health;
    /// 0 = off).
    #[arg(
        long,
        env = "PROXY_PASSIVE_COOLDOWN_SECS",
        default_value_t = 5,
        help_heading = "Health checks"
    )]
    pub passive_cooldown_secs: u64,

    /// Seconds to establish a connection to an upstream.
    #[arg(
        long,
        env = "PROXY_CONNECT_TIMEOUT_SECS",
        default_value_t = 3,
        help_heading = "Upstreams"
    )]
    pub connect_timeout_secs: u64,

    /// Seconds an upstream may stay silent (reading or writing) before the request is a 504.
    #[arg(
        long,
        env = "PROXY_UPSTREAM_TIMEOUT_SECS",
        default_value_t = 60,
        help_heading = "Upstreams"
    )]
    pub upstream_timeout_secs: u64,

    /// Seconds a client may stay silent (reading or writing) before it is disconnected.
    #[arg(
        long,
        env = "PROXY_CLIENT_TIMEOUT_SECS",
        default_value_t = 60,
        help_heading = "Limits"
    )]
    pub client_timeout_secs: u64,

    /// Seconds an idle client keep-alive connection is kept open (0 = no keep-alive).
    #[arg(
        long,
        env = "PROXY_KEEPALIVE_SECS",
        default_value_t = 60,
        help_heading = "Limits"
    )]
    pub keepalive_secs: u64,

    /// Largest request header, request line included, in bytes; a larger one is refused with
    /// 431 while it is read, never buffered whole.
    #[arg(long, env = "PROXY_MAX_HEADER_BYTES", default_value_t = 32 * 1024, help_heading = "Limits")]
    pub max_header_bytes: usize,

    /// Seconds a request's header may take to arrive from its first byte (408 after); a new
    /// connection gets as long to send that first byte.
    #[arg(
        long,
        env = "PROXY_HEADER_TIMEOUT_SECS",
        default_value_t = 10,
        help_heading = "Limits"
    )]
    pub header_timeout_secs: u64,

    /// Most client connections open at once; more are closed at accept (0 = no cap).
    #[arg(
        long,
        env = "PROXY_MAX_CONNECTIONS",
        default_value_t = 2048,
        help_heading = "Limits"
    )]
    pub max_connections: usize,

    /// Most connections open at once from one client address (an IPv6 /64 counts as one;
    /// trusted proxies are exempt; 0 = no cap).
    #[arg(
        long,
        env = "PROXY_MAX_CONNECTIONS_PER_IP",
        default_value_t = 128,
        help_heading = "Limits"
    )]
    pub max_connections_per_ip: usize,

    /// Logins and registrations (POST to token/ or users/ under an API prefix) per minute
    /// from one client address; past it, 429 (0 = no limit).
    #[arg(
        long,
        env = "PROXY_RATE_LOGIN_PER_MIN",
        default_value_t = 10,
        help_heading = "Limits"
    )]
    pub rate_login_per_min: u32,

    /// Logins and registrations one client address may make at once before the per-minute
    /// rate applies.
    #[arg(
        long,
        env = "PROXY_RATE_LOGIN_BURST",
        default_value_t = 5,
        help_heading = "Limits"
    )]
    pub rate_login_burst: u32,

    /// Other API requests per second from one client address; past it, 429 (0 = no limit).
    #[arg(
        long,
        env = "PROXY_RATE_API_PER_SEC",
        default_value_t = 20,
        help_heading = "Limits"
    )]
    pub rate_api_per_sec: u32,

    /// API requests one client address may make at once before the per-second rate applies.
    #[arg(
        long,
        env = "PROXY_RATE_API_BURST",
        default_value_t = 40,
        help_heading = "Limits"
    )]
    pub rate_api_burst: u32,

    /// Static-file requests per second from one client address; past it, 429 (0 = no limit).
    #[arg(
        long,
        env = "PROXY_RATE_STATIC_PER_SEC",
        default_value_t = 100,
        help_heading = "Limits"
    )]
    pub rate_static_per_sec: u32,

    /// Static-file requests one client address may make at once before the per-second rate
    /// applies.
    #[arg(
        long,
        env = "PROXY_RATE_STATIC_BURST",
        default_value_t = 200,
        help_heading = "Limits"
    )]
    pub rate_static_burst: u32,

    /// Largest request body accepted on static paths, in bytes (413 beyond).
    #[arg(
        long,
        env = "PROXY_STATIC_MAX_BODY_BYTES",
        default_value_t = 1024,
        help_heading = "Static files"
    )]
    pub static_max_body_bytes: u64,

    /// max-age, in seconds, for static files that are neither index.html nor fingerprinted
    /// (0 = browsers revalidate every time).
    #[arg(
        long,
        env = "PROXY_STATIC_MAX_AGE_SECS",
        default_value_t = 300,
        help_heading = "Static files"
    )]
    pub static_max_age_secs: u64,

    /// Comma-separated addresses or networks (CIDR, e.g. the load balancer's subnets) of the
    /// proxies in front of this one. Only their X-Forwarded-For, X-Real-IP, Forwarded,
    /// X-Forwarded-Proto/-Host and X-Request-Id are passed on, and the client is the
    /// right-most X-Forwarded-For address that is not one of them; everyone else's are
    /// replaced.
    #[arg(
        long,
        env = "PROXY_TRUSTED_PROXIES",
        help_heading = "Forwarded headers"
    )]
    pub trusted_proxies: Option<String>,

    /// Trust every peer's forwarded headers, one hop deep: the client is the last
    /// X-Forwarded-For address. Only where nothing but the load balancer can connect;
    /// PROXY_TRUSTED_PROXIES is the precise form.
    #[arg(
        long,
        env = "PROXY_TRUST_FORWARDED",
        default_value_t = false,
        help_heading = "Forwarded headers"
    )]
    pub trust_forwarded: bool,

    /// Seconds in-flight requests get to finish after SIGTERM before the process exits
    /// (0 = exit at once).
    #[arg(
        long,
        env = "PROXY_SHUTDOWN_GRACE_SECS",
        default_value_t = 5,
        help_heading = "Listeners"
    )]
    pub shutdown_grace_secs: u64,

    /// Worker threads; 0 means one per CPU.
    #[arg(
        long,
        env = "PROXY_THREADS",
        default_value_t = 0,
        help_heading = "Listeners"
    )]
    pub threads: usize,

    /// Address (ip:port) of the HTTPS listener; unset means no TLS.
    #[arg(long, env = "PROXY_TLS_LISTEN", help_heading = "TLS and ACME")]
    pub tls_listen: Option<String>,

    /// Comma-separated PEM certificate chains (leaf first), one per SNI name set.
    #[arg(long, env = "PROXY_TLS_CERT", help_heading = "TLS and ACME")]
    pub tls_cert: Option<String>,

    /// Comma-separated PEM private keys, in the order of PROXY_TLS_CERT.
    #[arg(long, env = "PROXY_TLS_KEY", help_heading = "TLS and ACME")]
    pub tls_key: Option<String>,

    /// Seconds between checks for replaced certificate files.
    #[arg(
        long,
        env = "PROXY_TLS_RELOAD_SECS",
        default_value_t = 10,
        help_heading = "TLS and ACME"
    )]
    pub tls_reload_secs: u64,

    /// Port that plain-HTTP requests are redirected to (default: the TLS listener's port).
    #[arg(long, env = "PROXY_HTTPS_PORT", help_heading = "TLS and ACME")]
    pub https_port: Option<u16>,

    /// Comma-separated domains to obtain certificates for automatically (ACME, HTTP-01).
    #[arg(long, env = "PROXY_ACME_DOMAINS", help_heading = "TLS and ACME")]
    pub acme_domains: Option<String>,

    /// Contact email for the ACME account.
    #[arg(long, env = "PROXY_ACME_EMAIL", help_heading = "TLS and ACME")]
    pub acme_email: Option<String>,

    /// ACME directory URL.
    #[arg(
        long,
        env = "PROXY_ACME_DIRECTORY",
        default_value = "https://acme-v02.api.letsencrypt.org/directory",
        help_heading = "TLS and ACME"
    )]
    pub acme_directory: String,

    /// Folder for the ACME account key and the certificates.
    #[arg(
        long,
        env = "PROXY_ACME_STATE_DIR",
        default_value = "acme",
        help_heading = "TLS and ACME"
    )]
    pub acme_state_dir: PathBuf,

    /// Extra CA certificate (PEM) to trust for the ACME server itself (private or test CAs).
    #[arg(long, env = "PROXY_ACME_CA_FILE", help_heading = "TLS and ACME")]
    pub acme_ca_file: Option<PathBuf>,

    /// Renew when less than this many seconds remain (default: at two thirds of the lifetime).
    #[arg(
        long,
        env = "PROXY_ACME_RENEW_BEFORE_SECS",
        help_heading = "TLS and ACME"
    )]
    pub acme_renew_before_secs: Option<u64>,

    /// Seconds between certificate expiry checks.
    #[arg(
        long,
        env = "PROXY_ACME_CHECK_SECS",
        default_value_t = 3600,
        help_heading = "TLS and ACME"
    )]
    pub acme_check_secs: u64,

    /// The one host name the site answers to; other known names are redirected to it.
    #[arg(long, env = "PROXY_CANONICAL_HOST", help_heading = "Host names")]
    pub canonical_host: Option<String>,

    /// Comma-separated names (or *.domain patterns) redirected to the canonical host.
    #[arg(long, env = "PROXY_HOST_ALIASES", help_heading = "Host names")]
    pub host_aliases: Option<String>,

    /// What to do with other host names when a canonical host is set.
    #[arg(
        long,
        env = "PROXY_UNKNOWN_HOST",
        value_enum,
        default_value = "reject",
        help_heading = "Host names"
    )]
    pub unknown_host: UnknownHost,

    /// Strict-Transport-Security max-age in seconds on HTTPS responses (0 = no header).
    #[arg(
        long,
        env = "PROXY_HSTS_MAX_AGE_SECS",
        default_value_t = 0,
        help_heading = "TLS and ACME"
    )]
    pub hsts_max_age_secs: u64,

    /// Whether the Strict-Transport-Security header covers every subdomain too
    /// (includeSubDomains).
    #[arg(
        long,
        env = "PROXY_HSTS_INCLUDE_SUBDOMAINS",
        default_value_t = true,
        action = clap::ArgAction::Set,
        help_heading = "TLS and ACME"
    )]
    pub hsts_include_subdomains: bool,

    /// Whether the Strict-Transport-Security header asks to be in browsers' preload list
    /// (preload); needs includeSubDomains and a max-age of at least a year (31536000).
    #[arg(
        long,
        env = "PROXY_HSTS_PRELOAD",
        default_value_t = false,
        action = clap::ArgAction::Set,
        help_heading = "TLS and ACME"
    )]
    pub hsts_preload: bool,

    /// Log lines as text (for people) or one JSON object each (for log collectors).
    #[arg(
        long,
        env = "LOG_FORMAT",
        value_enum,
        default_value = "text",
        help_heading = "Logging"
    )]
    pub log_format: LogFormat,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run the proxy (the default).
    Serve,
    /// Exit 0 when the proxy at PROXY_LISTEN answers its health endpoint (container health checks).
    Healthcheck,
}

/// What to do with a request for a host that is neither canonical nor an alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UnknownHost {
    /// 421 Misdirected Request.
    Reject,
    /// Redirect to the canonical host like an alias.
    Redirect,
    /// Serve it as if it were canonical.
    Allow,
}

/// A `*_SECS` setting that can be off: 0 turns it off (the first half of the rule in
/// `--help`; the settings that cannot be off refuse 0 in [`crate::config`]).
pub fn off_when_zero(secs: u64) -> Option<Duration> {
    (secs > 0).then(|| Duration::from_secs(secs))
}

/// The items of a comma-separated setting, trimmed, without empty ones.
pub fn comma_separated(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}
