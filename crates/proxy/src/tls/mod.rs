//! HTTPS: a certificate store the TLS handshake reads (SNI picks the certificate), filled from
//! PEM files that are re-read when they change, or by the ACME client.

pub mod acme;
mod files;
mod store;

pub use files::{CertificateFileError, CertificateFiles};
pub use store::{CertStore, CertificateError, Certified, HandshakeCounters, SniResolver};

use std::sync::Arc;

use pingora::listeners::tls::TlsSettings;
use pingora::tls::ssl::{SslOptions, SslVersion};

/// The TLS 1.2 cipher suites, in the order the server picks them: forward secrecy (ECDHE) and
/// authenticated encryption (GCM, ChaCha20-Poly1305) only. Mozilla's intermediate profile
/// without its two DHE suites; CBC, RSA key exchange and the rest never get a handshake. TLS
/// 1.3 keeps OpenSSL's suites, all of them AEAD with forward secrecy.
pub const TLS12_CIPHERS: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
     ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:\
     ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

/// TLS settings for the HTTPS listener: TLS 1.2 and 1.3 only, the server's choice of cipher
/// among [`TLS12_CIPHERS`] (ChaCha20 first for a client that prefers it: one without AES
/// hardware), HTTP/2 and HTTP/1.1 through ALPN, certificates from `store`; `handshakes` counts
/// the handshakes when metrics are on.
pub fn listener_settings(
    store: Arc<CertStore>,
    handshakes: Option<HandshakeCounters>,
) -> pingora::Result<TlsSettings> {
    let failed =
        |what| move |err| pingora::Error::because(pingora::ErrorType::InternalError, what, err);
    let resolver = SniResolver { store, handshakes };
    let mut settings = TlsSettings::with_callbacks(Box::new(resolver))?;
    settings
        .set_min_proto_version(Some(SslVersion::TLS1_2))
        .map_err(failed("TLS minimum version"))?;
    settings
        .set_cipher_list(TLS12_CIPHERS)
        .map_err(failed("TLS 1.2 cipher suites"))?;
    settings.set_options(SslOptions::CIPHER_SERVER_PREFERENCE | SslOptions::PRIORITIZE_CHACHA);
    settings.enable_h2();
    Ok(settings)
}
