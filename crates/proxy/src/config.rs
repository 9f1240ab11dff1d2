//! Configuration: parsed and validated once at start-up into [`ProxyConfig`]; the request path
//! only ever reads that struct, never the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::edge::{EdgePolicy, UnknownHost};
use crate::tls::acme::AcmeSettings;

const ENVIRONMENT_ONLY: &str = "\
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
#[command(after_help = ENVIRONMENT_ONLY)]
pub struct Options {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address (ip:port) to listen on for HTTP.
    #[arg(long, env = "PROXY_LISTEN", default_value = "0.0.0.0:8080")]
    pub listen: String,

    /// Comma-separated upstream API servers as host:port. Names are resolved through DNS and
    /// re-resolved periodically; every address of a name is used.
    #[arg(long, env = "PROXY_UPSTREAMS", default_value = "127.0.0.1:8000")]
    pub upstreams: String,

    /// Folder of the web UI to serve.
    #[arg(long, env = "PROXY_STATIC_DIR", default_value = "web")]
    pub static_dir: PathBuf,

    /// Comma-separated path prefixes forwarded to the upstreams; everything else is static.
    #[arg(
        long,
        env = "PROXY_API_PREFIXES",
        default_value = "/api/,/portfolio/api/,/wallstreet/api/"
    )]
    pub api_prefixes: String,

    /// The proxy's own health endpoint (answered here, never forwarded).
    #[arg(long, env = "PROXY_HEALTH_PATH", default_value = "/healthz")]
    pub health_path: String,

    /// Path the active health check requests from every upstream.
    #[arg(
        long,
        env = "PROXY_UPSTREAM_HEALTH_PATH",
        default_value = "/api/health"
    )]
    pub upstream_health_path: String,

    /// Seconds between active health checks of the upstreams.
    #[arg(long, env = "PROXY_HEALTH_INTERVAL_SECS", default_value_t = 2)]
    pub health_interval_secs: u64,

    /// Seconds between DNS re-resolutions of the upstream names.
    #[arg(long, env = "PROXY_DNS_REFRESH_SECS", default_value_t = 5)]
    pub dns_refresh_secs: u64,

    /// A hosts-format file consulted before DNS for upstream names (re-read at every refresh).
    #[arg(long, env = "PROXY_HOSTS_FILE")]
    pub hosts_file: Option<PathBuf>,

    /// Seconds an upstream that refused or dropped a connection is skipped (passive health).
    #[arg(long, env = "PROXY_PASSIVE_COOLDOWN_SECS", default_value_t = 5)]
    pub passive_cooldown_secs: u64,

    /// Seconds to establish a connection to an upstream.
    #[arg(long, env = "PROXY_CONNECT_TIMEOUT_SECS", default_value_t = 3)]
    pub connect_timeout_secs: u64,

    /// Seconds an upstream may stay silent (reading or writing) before the request is a 504.
    #[arg(long, env = "PROXY_UPSTREAM_TIMEOUT_SECS", default_value_t = 60)]
    pub upstream_timeout_secs: u64,

    /// Seconds a client may stay silent (reading or writing) before it is disconnected.
    #[arg(long, env = "PROXY_CLIENT_TIMEOUT_SECS", default_value_t = 60)]
    pub client_timeout_secs: u64,

    /// Seconds an idle client keep-alive connection is kept open.
    #[arg(long, env = "PROXY_KEEPALIVE_SECS", default_value_t = 60)]
    pub keepalive_secs: u64,

    /// Largest total size of a request's headers, in bytes (431 beyond).
    #[arg(long, env = "PROXY_MAX_HEADER_BYTES", default_value_t = 32 * 1024)]
    pub max_header_bytes: usize,

    /// Largest request body accepted on static paths, in bytes (413 beyond).
    #[arg(long, env = "PROXY_STATIC_MAX_BODY_BYTES", default_value_t = 1024)]
    pub static_max_body_bytes: u64,

    /// max-age, in seconds, for static files that are neither index.html nor fingerprinted.
    #[arg(long, env = "PROXY_STATIC_MAX_AGE_SECS", default_value_t = 300)]
    pub static_max_age_secs: u64,

    /// Keep X-Forwarded-Proto/-Host from the client (only behind a trusted load balancer).
    #[arg(long, env = "PROXY_TRUST_FORWARDED", default_value_t = false)]
    pub trust_forwarded: bool,

    /// Seconds in-flight requests get to finish after SIGTERM before the process exits.
    #[arg(long, env = "PROXY_SHUTDOWN_GRACE_SECS", default_value_t = 5)]
    pub shutdown_grace_secs: u64,

    /// Worker threads; 0 means one per CPU.
    #[arg(long, env = "PROXY_THREADS", default_value_t = 0)]
    pub threads: usize,

    /// Address (ip:port) of the HTTPS listener; unset means no TLS.
    #[arg(long, env = "PROXY_TLS_LISTEN")]
    pub tls_listen: Option<String>,

    /// Comma-separated PEM certificate chains (leaf first), one per SNI name set.
    #[arg(long, env = "PROXY_TLS_CERT")]
    pub tls_cert: Option<String>,

    /// Comma-separated PEM private keys, in the order of PROXY_TLS_CERT.
    #[arg(long, env = "PROXY_TLS_KEY")]
    pub tls_key: Option<String>,

    /// Seconds between checks for replaced certificate files.
    #[arg(long, env = "PROXY_TLS_RELOAD_SECS", default_value_t = 10)]
    pub tls_reload_secs: u64,

    /// Port that plain-HTTP requests are redirected to (default: the TLS listener's port).
    #[arg(long, env = "PROXY_HTTPS_PORT")]
    pub https_port: Option<u16>,

    /// Comma-separated domains to obtain certificates for automatically (ACME, HTTP-01).
    #[arg(long, env = "PROXY_ACME_DOMAINS")]
    pub acme_domains: Option<String>,

    /// Contact email for the ACME account.
    #[arg(long, env = "PROXY_ACME_EMAIL")]
    pub acme_email: Option<String>,

    /// ACME directory URL.
    #[arg(
        long,
        env = "PROXY_ACME_DIRECTORY",
        default_value = "https://acme-v02.api.letsencrypt.org/directory"
    )]
    pub acme_directory: String,

    /// Folder for the ACME account key and the certificates.
    #[arg(long, env = "PROXY_ACME_STATE_DIR", default_value = "acme")]
    pub acme_state_dir: PathBuf,

    /// Extra CA certificate (PEM) to trust for the ACME server itself (private or test CAs).
    #[arg(long, env = "PROXY_ACME_CA_FILE")]
    pub acme_ca_file: Option<PathBuf>,

    /// Renew when less than this many seconds remain (default: at two thirds of the lifetime).
    #[arg(long, env = "PROXY_ACME_RENEW_BEFORE_SECS")]
    pub acme_renew_before_secs: Option<u64>,

    /// Seconds between certificate expiry checks.
    #[arg(long, env = "PROXY_ACME_CHECK_SECS", default_value_t = 3600)]
    pub acme_check_secs: u64,

    /// The one host name the site answers to; other known names are redirected to it.
    #[arg(long, env = "PROXY_CANONICAL_HOST")]
    pub canonical_host: Option<String>,

    /// Comma-separated names (or *.domain patterns) redirected to the canonical host.
    #[arg(long, env = "PROXY_HOST_ALIASES")]
    pub host_aliases: Option<String>,

    /// What to do with other host names when a canonical host is set.
    #[arg(long, env = "PROXY_UNKNOWN_HOST", value_enum, default_value = "reject")]
    pub unknown_host: UnknownHost,

    /// Strict-Transport-Security max-age in seconds on HTTPS responses (0 = no header).
    #[arg(long, env = "PROXY_HSTS_MAX_AGE_SECS", default_value_t = 0)]
    pub hsts_max_age_secs: u64,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run the proxy (the default).
    Serve,
    /// Exit 0 when the proxy at PROXY_LISTEN answers its health endpoint (container health checks).
    Healthcheck,
}

/// An upstream as configured: a name (or IP literal) and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamTarget {
    pub host: String,
    pub port: u16,
}

impl std::fmt::Display for UpstreamTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

#[derive(Debug, Clone)]
pub struct ProxyConfig {
    pub listen: SocketAddr,
    pub upstreams: Vec<UpstreamTarget>,
    pub static_dir: PathBuf,
    pub api_prefixes: Vec<String>,
    pub health_path: String,
    pub upstream_health_path: String,
    pub health_interval: Duration,
    pub dns_refresh: Duration,
    pub hosts_file: Option<PathBuf>,
    pub passive_cooldown: Duration,
    pub connect_timeout: Duration,
    pub upstream_timeout: Duration,
    pub client_timeout: Duration,
    pub keepalive: Duration,
    pub max_header_bytes: usize,
    pub static_max_body_bytes: u64,
    pub static_max_age: Duration,
    pub trust_forwarded: bool,
    pub shutdown_grace: Duration,
    pub threads: usize,
    pub tls: Option<TlsConfig>,
    pub edge: EdgePolicy,
}

/// HTTPS settings: where to listen and where certificates come from (files, ACME, or both).
#[derive(Debug, Clone)]
pub struct TlsConfig {
    pub listen: SocketAddr,
    pub files: Vec<(PathBuf, PathBuf)>,
    pub reload: Duration,
    pub acme: Option<AcmeSettings>,
}

/// What is wrong with the configuration: the setting and the reason.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {reason}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub reason: String,
}

fn invalid(setting: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        reason: reason.into(),
    }
}

impl ProxyConfig {
    pub fn from_options(options: &Options) -> Result<Self, ConfigError> {
        let listen = options.listen.trim().parse().map_err(|_| {
            invalid(
                "PROXY_LISTEN",
                format!("{:?} is not an ip:port address", options.listen),
            )
        })?;
        let static_dir = options.static_dir.canonicalize().map_err(|err| {
            invalid(
                "PROXY_STATIC_DIR",
                format!("{}: {err}", options.static_dir.display()),
            )
        })?;
        if !static_dir.is_dir() {
            return Err(invalid(
                "PROXY_STATIC_DIR",
                format!("{} is not a folder", static_dir.display()),
            ));
        }
        let tls = tls_config(options)?;
        let edge = EdgePolicy {
            https_port: tls
                .as_ref()
                .map(|tls| options.https_port.unwrap_or(tls.listen.port())),
            canonical_host: options
                .canonical_host
                .as_deref()
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty()),
            aliases: list(options.host_aliases.as_deref())
                .into_iter()
                .map(|a| a.to_ascii_lowercase())
                .collect(),
            unknown_host: options.unknown_host,
            hsts: (options.hsts_max_age_secs > 0)
                .then(|| format!("max-age={}; includeSubDomains", options.hsts_max_age_secs)),
        };
        Ok(Self {
            listen,
            upstreams: parse_upstreams(&options.upstreams)?,
            static_dir,
            api_prefixes: parse_prefixes(&options.api_prefixes)?,
            health_path: absolute_path("PROXY_HEALTH_PATH", &options.health_path)?,
            upstream_health_path: absolute_path(
                "PROXY_UPSTREAM_HEALTH_PATH",
                &options.upstream_health_path,
            )?,
            health_interval: positive_secs(
                "PROXY_HEALTH_INTERVAL_SECS",
                options.health_interval_secs,
            )?,
            dns_refresh: positive_secs("PROXY_DNS_REFRESH_SECS", options.dns_refresh_secs)?,
            hosts_file: options.hosts_file.clone(),
            passive_cooldown: Duration::from_secs(options.passive_cooldown_secs),
            connect_timeout: positive_secs(
                "PROXY_CONNECT_TIMEOUT_SECS",
                options.connect_timeout_secs,
            )?,
            upstream_timeout: positive_secs(
                "PROXY_UPSTREAM_TIMEOUT_SECS",
                options.upstream_timeout_secs,
            )?,
            client_timeout: positive_secs(
                "PROXY_CLIENT_TIMEOUT_SECS",
                options.client_timeout_secs,
            )?,
            keepalive: Duration::from_secs(options.keepalive_secs),
            max_header_bytes: match options.max_header_bytes {
                0 => return Err(invalid("PROXY_MAX_HEADER_BYTES", "must be more than 0")),
                n => n,
            },
            static_max_body_bytes: options.static_max_body_bytes,
            static_max_age: Duration::from_secs(options.static_max_age_secs),
            trust_forwarded: options.trust_forwarded,
            shutdown_grace: Duration::from_secs(options.shutdown_grace_secs),
            threads: match options.threads {
                0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
                n => n,
            },
            tls,
            edge,
        })
    }

    /// Whether `path` goes to the upstreams.
    pub fn is_api_path(&self, path: &str) -> bool {
        self.api_prefixes
            .iter()
            .any(|prefix| path.starts_with(prefix.as_str()) || path == prefix.trim_end_matches('/'))
    }
}

fn list(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

fn tls_config(options: &Options) -> Result<Option<TlsConfig>, ConfigError> {
    let certs = list(options.tls_cert.as_deref());
    let keys = list(options.tls_key.as_deref());
    let domains: Vec<String> = list(options.acme_domains.as_deref())
        .into_iter()
        .map(|d| d.to_ascii_lowercase())
        .collect();
    let Some(listen) = options
        .tls_listen
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    else {
        if !certs.is_empty() || !domains.is_empty() {
            return Err(invalid(
                "PROXY_TLS_LISTEN",
                "certificates are configured but no HTTPS listener is",
            ));
        }
        return Ok(None);
    };
    let listen: SocketAddr = listen.parse().map_err(|_| {
        invalid(
            "PROXY_TLS_LISTEN",
            format!("{listen:?} is not an ip:port address"),
        )
    })?;
    if certs.len() != keys.len() {
        return Err(invalid(
            "PROXY_TLS_KEY",
            format!("{} certificates but {} keys", certs.len(), keys.len()),
        ));
    }
    if certs.is_empty() && domains.is_empty() {
        return Err(invalid(
            "PROXY_TLS_CERT",
            "HTTPS needs PROXY_TLS_CERT/PROXY_TLS_KEY or PROXY_ACME_DOMAINS",
        ));
    }
    for domain in &domains {
        let valid = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !valid {
            return Err(invalid(
                "PROXY_ACME_DOMAINS",
                format!("{domain:?} is not a domain name"),
            ));
        }
    }
    let acme = (!domains.is_empty()).then(|| AcmeSettings {
        domains,
        email: options.acme_email.clone().filter(|e| !e.trim().is_empty()),
        directory: options.acme_directory.clone(),
        state_dir: options.acme_state_dir.clone(),
        ca_file: options.acme_ca_file.clone(),
        renew_before: options.acme_renew_before_secs.map(Duration::from_secs),
        check_every: Duration::from_secs(options.acme_check_secs.max(1)),
    });
    Ok(Some(TlsConfig {
        listen,
        files: certs
            .into_iter()
            .map(PathBuf::from)
            .zip(keys.into_iter().map(PathBuf::from))
            .collect(),
        reload: Duration::from_secs(options.tls_reload_secs.max(1)),
        acme,
    }))
}

fn positive_secs(setting: &'static str, secs: u64) -> Result<Duration, ConfigError> {
    if secs == 0 {
        return Err(invalid(setting, "must be at least 1 second"));
    }
    Ok(Duration::from_secs(secs))
}

fn absolute_path(setting: &'static str, path: &str) -> Result<String, ConfigError> {
    if !path.starts_with('/') {
        return Err(invalid(setting, format!("{path:?} must start with /")));
    }
    Ok(path.to_owned())
}

fn parse_prefixes(raw: &str) -> Result<Vec<String>, ConfigError> {
    let prefixes: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    if prefixes.is_empty() {
        return Err(invalid(
            "PROXY_API_PREFIXES",
            "at least one prefix is needed",
        ));
    }
    for prefix in &prefixes {
        if !prefix.starts_with('/') || !prefix.ends_with('/') {
            return Err(invalid(
                "PROXY_API_PREFIXES",
                format!("{prefix:?} must start and end with / (e.g. /api/)"),
            ));
        }
    }
    Ok(prefixes)
}

pub fn parse_upstreams(raw: &str) -> Result<Vec<UpstreamTarget>, ConfigError> {
    let mut targets = Vec::new();
    for item in raw
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        let (host, port) = if let Some(rest) = item.strip_prefix('[') {
            let (host, port) = rest.split_once("]:").ok_or_else(|| {
                invalid("PROXY_UPSTREAMS", format!("{item:?} is not [ipv6]:port"))
            })?;
            (host, port)
        } else {
            item.rsplit_once(':').ok_or_else(|| {
                invalid(
                    "PROXY_UPSTREAMS",
                    format!("{item:?} has no port (expected host:port)"),
                )
            })?
        };
        let port: u16 =
            port.parse().ok().filter(|port| *port != 0).ok_or_else(|| {
                invalid("PROXY_UPSTREAMS", format!("{item:?} has an invalid port"))
            })?;
        let valid_host = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
        if !valid_host {
            return Err(invalid(
                "PROXY_UPSTREAMS",
                format!("{item:?} has an invalid host name"),
            ));
        }
        targets.push(UpstreamTarget {
            host: host.to_owned(),
            port,
        });
    }
    if targets.is_empty() {
        return Err(invalid(
            "PROXY_UPSTREAMS",
            "at least one host:port is needed",
        ));
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstreams_are_names_or_addresses_with_ports() {
        let targets = parse_upstreams("api:8000, 10.0.0.5:9000,[::1]:8000").unwrap();
        assert_eq!(targets.len(), 3);
        assert_eq!(
            targets[0],
            UpstreamTarget {
                host: "api".into(),
                port: 8000
            }
        );
        assert_eq!(targets[2].host, "::1");
        assert_eq!(targets[2].to_string(), "[::1]:8000");
        for bad in ["", "api", "api:", "api:0", "api:99999", "a b:80", ":80"] {
            let err = parse_upstreams(bad).unwrap_err();
            assert_eq!(err.setting, "PROXY_UPSTREAMS", "{bad:?}");
        }
    }

    #[test]
    fn prefixes_are_slash_delimited() {
        assert!(parse_prefixes("/api/,/x/").is_ok());
        assert!(parse_prefixes("/api").is_err());
        assert!(parse_prefixes("api/").is_err());
        assert!(parse_prefixes(" , ").is_err());
    }
}
