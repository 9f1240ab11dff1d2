//! What can be wrong with a setting: [`ConfigError`] names the setting, and its
//! [`InvalidValue`] says why, in the words the proxy has always printed (tests and operators
//! match on them). A typed cause, where the parser gives one, stays reachable through
//! `source()`.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::client_ip::NetworkError;
use crate::routing::PrefixError;
use crate::upstreams::TargetError;

/// A setting the proxy cannot start with: which one, and why.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {reason}")]
pub struct ConfigError {
    /// The setting, by its environment variable (`--help` lists it beside the flag).
    pub setting: &'static str,
    #[source]
    pub reason: InvalidValue,
}

/// Why a setting's value cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum InvalidValue {
    #[error("{0:?} is not an ip:port address")]
    NotAnAddress(String),
    /// A folder that cannot be opened (missing, or not ours to read).
    #[error("{}: {source}", path.display())]
    Unreachable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a folder", .0.display())]
    NotAFolder(PathBuf),
    /// A size that 0 would make useless.
    #[error("must be more than 0")]
    Zero,
    /// The second half of the seconds rule in `--help`: 0 turns off only what can be off.
    #[error("must be at least 1 second (0 cannot turn this off)")]
    ZeroSeconds,
    #[error("{0:?} must start with /")]
    NotAbsolutePath(String),
    /// A rate limit that is on, with no burst to let the first request through.
    #[error("must be at least 1 while {rate_setting} is on")]
    NoBurst { rate_setting: &'static str },
    #[error("{0}")]
    Networks(#[from] NetworkError),
    #[error("{0}")]
    Upstreams(#[from] TargetError),
    #[error("{0}")]
    Prefixes(#[from] PrefixError),
    /// The metrics would be served on a public listener's port, or the two would not start.
    #[error("{address} is on the port of {other} ({taken})")]
    SharesPort {
        address: SocketAddr,
        other: &'static str,
        taken: SocketAddr,
    },
    #[error("certificates are configured but no HTTPS listener is")]
    NoHttpsListener,
    #[error("{certificates} certificates but {keys} keys")]
    UnpairedKeys { certificates: usize, keys: usize },
    #[error("HTTPS needs PROXY_TLS_CERT/PROXY_TLS_KEY or PROXY_ACME_DOMAINS")]
    NoCertificates,
    #[error("{0:?} is not a domain name")]
    NotADomain(String),
    /// Browsers' preload lists refuse a shorter max-age.
    #[error("needs PROXY_HSTS_MAX_AGE_SECS of at least {min_secs}")]
    PreloadTooShort { min_secs: u64 },
    /// Browsers' preload lists refuse a header without `includeSubDomains`.
    #[error("needs PROXY_HSTS_INCLUDE_SUBDOMAINS=true")]
    PreloadWithoutSubdomains,
}

impl ConfigError {
    pub fn new(setting: &'static str, reason: impl Into<InvalidValue>) -> Self {
        Self {
            setting,
            reason: reason.into(),
        }
    }
}
