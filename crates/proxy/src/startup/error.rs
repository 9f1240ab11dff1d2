//! Why the proxy did not start. The causes keep their types (`ConfigError`, the certificate
//! files' and the ACME state folder's errors, `io::Error`, pingora's) up to `main`, which turns
//! them into the message and the exit code.

use std::net::SocketAddr;

use crate::config::ConfigError;
use crate::tls::acme::StateDirError;
use crate::tls::CertificateFileError;

/// Why the proxy did not start. The messages are the ones it has always printed after
/// `proxy: `; tests and scripts match on them and on the exit codes.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A listen address is taken, or not this host's to bind.
    #[error("{setting}: cannot listen on {address}: {source}")]
    Listen {
        setting: &'static str,
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    /// A certificate or key of `PROXY_TLS_CERT`/`PROXY_TLS_KEY` cannot be read or used.
    #[error("invalid configuration: PROXY_TLS_CERT: {0}")]
    CertificateFiles(#[from] CertificateFileError),
    #[error("invalid configuration: {0}")]
    AcmeStateDir(#[from] StateDirError),
    /// OpenSSL refused the HTTPS listener's settings (its protocol versions or ciphers).
    #[error("TLS set-up failed: {0}")]
    TlsSettings(#[source] pingora::BError),
}

impl StartupError {
    /// 2 for a setting to fix, 1 for a listener the host cannot give (as before the error had
    /// a type).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Listen { .. } => 1,
            Self::Config(_)
            | Self::CertificateFiles(_)
            | Self::AcmeStateDir(_)
            | Self::TlsSettings(_) => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::InvalidValue;

    #[test]
    fn a_bad_setting_exits_with_2_and_a_listener_the_host_cannot_give_with_1() {
        let invalid = StartupError::from(ConfigError::new(
            "PROXY_TLS_KEY",
            InvalidValue::UnpairedKeys {
                certificates: 2,
                keys: 1,
            },
        ));
        assert_eq!(invalid.exit_code(), 2);
        assert_eq!(
            invalid.to_string(),
            "invalid configuration: PROXY_TLS_KEY: 2 certificates but 1 keys"
        );
        let taken = StartupError::Listen {
            setting: "PROXY_LISTEN",
            address: "127.0.0.1:8080".parse().unwrap(),
            source: std::io::ErrorKind::AddrInUse.into(),
        };
        assert_eq!(taken.exit_code(), 1);
        assert!(
            taken
                .to_string()
                .starts_with("PROXY_LISTEN: cannot listen on 127.0.0.1:8080: "),
            "{taken}"
        );
    }
}
