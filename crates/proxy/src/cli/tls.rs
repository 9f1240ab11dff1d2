//! The "TLS and ACME" settings: the HTTPS listener, its certificates (from files, or ordered
//! through ACME), the redirect from plain HTTP, and the Strict-Transport-Security header.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
#[command(next_help_heading = "TLS and ACME")]
pub struct TlsOptions {
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

    /// Strict-Transport-Security max-age in seconds on HTTPS responses (0 = no header).
    #[arg(long, env = "PROXY_HSTS_MAX_AGE_SECS", default_value_t = 0)]
    pub hsts_max_age_secs: u64,

    /// Whether the Strict-Transport-Security header covers every subdomain too
    /// (includeSubDomains).
    #[arg(
        long,
        env = "PROXY_HSTS_INCLUDE_SUBDOMAINS",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub hsts_include_subdomains: bool,

    /// Whether the Strict-Transport-Security header asks to be in browsers' preload list
    /// (preload); needs includeSubDomains and a max-age of at least a year (31536000).
    #[arg(
        long,
        env = "PROXY_HSTS_PRELOAD",
        default_value_t = false,
        action = clap::ArgAction::Set
    )]
    pub hsts_preload: bool,
}
