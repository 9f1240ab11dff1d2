//! HTTPS: a certificate store the TLS handshake reads (SNI picks the certificate), filled from
//! PEM files that are re-read when they change, or by the ACME client.

pub mod acme;
mod files;
mod store;

pub use files::CertificateFiles;
pub use store::{CertStore, Certified, SniResolver};

use pingora::listeners::tls::TlsSettings;
use pingora::tls::ssl::SslVersion;
use std::sync::Arc;

use crate::metrics::HandshakeCounters;

/// TLS settings for the HTTPS listener: modern protocol versions only (Mozilla's intermediate
/// profile, TLS 1.2 and 1.3), HTTP/2 and HTTP/1.1 through ALPN, certificates from `store`;
/// `handshakes` counts the handshakes when metrics are on.
pub fn listener_settings(
    store: Arc<CertStore>,
    handshakes: Option<HandshakeCounters>,
) -> pingora::Result<TlsSettings> {
    let resolver = SniResolver { store, handshakes };
    let mut settings = TlsSettings::with_callbacks(Box::new(resolver))?;
    settings
        .set_min_proto_version(Some(SslVersion::TLS1_2))
        .map_err(|err| {
            pingora::Error::because(
                pingora::ErrorType::InternalError,
                "TLS minimum version",
                err,
            )
        })?;
    settings.enable_h2();
    Ok(settings)
}
