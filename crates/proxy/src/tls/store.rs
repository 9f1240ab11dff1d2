//! The certificates the HTTPS listener serves, swapped atomically when renewed or reloaded.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use async_trait::async_trait;
use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::error::ErrorStack;
use pingora::listeners::TlsAccept;
use pingora::protocols::tls::TlsRef;
use pingora::tls::ext::{ssl_add_chain_cert, ssl_use_certificate, ssl_use_private_key};
use pingora::tls::pkey::{PKey, Private};
use pingora::tls::ssl::NameType;
use pingora::tls::x509::X509;
use prometheus::IntCounter;

/// What the handshakes count, reported as `proxy_tls_handshakes_total{outcome}` (the metrics
/// register the counters): handshakes completed (`ok`), and those that failed
/// for want of a certificate for the name asked (`no_certificate`). Handshakes that fail for
/// other reasons (a client that gives up, no protocol in common) end inside pingora and are
/// not counted.
#[derive(Clone)]
pub struct HandshakeCounters {
    pub ok: IntCounter,
    pub no_certificate: IntCounter,
}

/// Why a PEM certificate chain and key cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    #[error("certificate: {0}")]
    Certificate(#[source] ErrorStack),
    #[error("certificate: no certificate in the file")]
    NoCertificate,
    #[error("private key: {0}")]
    PrivateKey(#[source] ErrorStack),
    #[error("the private key does not belong to the certificate")]
    KeyMismatch,
    /// The leaf's validity dates cannot be read as times (OpenSSL's reason).
    #[error("{0}")]
    Validity(#[source] ErrorStack),
}

/// A certificate chain with its key and the names it is valid for.
pub struct Certified {
    pub chain: Vec<X509>,
    pub key: PKey<Private>,
    pub names: Vec<String>,
    pub not_before: SystemTime,
    pub not_after: SystemTime,
}

impl Certified {
    /// Parses a PEM full chain (leaf first) and its PEM private key.
    pub fn from_pem(chain: &[u8], key: &[u8]) -> Result<Self, CertificateError> {
        let chain = X509::stack_from_pem(chain).map_err(CertificateError::Certificate)?;
        let leaf = chain.first().ok_or(CertificateError::NoCertificate)?;
        let key = PKey::private_key_from_pem(key).map_err(CertificateError::PrivateKey)?;
        let public = leaf.public_key().map_err(CertificateError::Certificate)?;
        if !public.public_eq(&key) {
            return Err(CertificateError::KeyMismatch);
        }
        let mut names: Vec<String> = leaf
            .subject_alt_names()
            .map(|sans| {
                sans.iter()
                    .filter_map(|san| san.dnsname().map(|n| n.to_ascii_lowercase()))
                    .collect()
            })
            .unwrap_or_default();
        if names.is_empty() {
            names.extend(
                leaf.subject_name()
                    .entries_by_nid(pingora::tls::nid::Nid::COMMONNAME)
                    .map(|entry| {
                        String::from_utf8_lossy(entry.data().as_slice()).to_ascii_lowercase()
                    }),
            );
        }
        let to_system = |time: &Asn1TimeRef| -> Result<SystemTime, CertificateError> {
            let epoch = Asn1Time::from_unix(0).map_err(CertificateError::Validity)?;
            let diff = epoch.diff(time).map_err(CertificateError::Validity)?;
            let secs = i64::from(diff.days) * 86_400 + i64::from(diff.secs);
            Ok(SystemTime::UNIX_EPOCH
                + std::time::Duration::from_secs(u64::try_from(secs).unwrap_or(0)))
        };
        Ok(Self {
            not_before: to_system(leaf.not_before())?,
            not_after: to_system(leaf.not_after())?,
            chain,
            key,
            names,
        })
    }

    fn matches(&self, server_name: &str) -> bool {
        self.names.iter().any(|name| match name.strip_prefix("*.") {
            Some(parent) => server_name
                .split_once('.')
                .is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
            None => name == server_name,
        })
    }
}

/// Certificates by source (a file pair, or an ACME domain set). The first source loaded is the
/// default for clients that send no server name.
#[derive(Default)]
pub struct CertStore {
    sources: RwLock<Vec<(String, Arc<Certified>)>>,
}

impl CertStore {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Installs (or replaces) the certificate of `source`.
    pub fn install(&self, source: &str, certified: Certified) {
        let certified = Arc::new(certified);
        let mut sources = self.sources.write().expect("certificate store");
        match sources.iter_mut().find(|(name, _)| name == source) {
            Some(entry) => entry.1 = certified,
            None => sources.push((source.to_owned(), certified)),
        }
    }

    pub fn get(&self, source: &str) -> Option<Arc<Certified>> {
        let sources = self.sources.read().expect("certificate store");
        sources
            .iter()
            .find(|(name, _)| name == source)
            .map(|(_, c)| c.clone())
    }

    /// The certificate for a server name: an exact or wildcard match, else (for clients that
    /// sent no name) the default. An unknown name gets none, so its handshake fails cleanly.
    /// An IP address is no server name (RFC 6066 forbids sending one), but some clients send
    /// it anyway (wrk does): they are treated as having sent none, as NGINX does.
    pub fn select(&self, server_name: Option<&str>) -> Option<Arc<Certified>> {
        let sources = self.sources.read().expect("certificate store");
        let name = server_name.map(|name| name.trim_end_matches('.').to_ascii_lowercase());
        let default = || sources.first().map(|(_, c)| c.clone());
        match name {
            Some(name) => {
                let matched = sources
                    .iter()
                    .map(|(_, c)| c)
                    .find(|c| c.matches(&name))
                    .cloned();
                let is_address = name.parse::<std::net::IpAddr>().is_ok();
                matched.or_else(|| if is_address { default() } else { None })
            }
            None => default(),
        }
    }

    /// Every name a certificate is loaded for (for logs and health).
    pub fn names(&self) -> HashMap<String, SystemTime> {
        let sources = self.sources.read().expect("certificate store");
        sources
            .iter()
            .flat_map(|(_, c)| c.names.iter().map(|n| (n.clone(), c.not_after)))
            .collect()
    }
}

/// The handshake callbacks: the certificate for the client's server name (SNI), and the
/// handshake counts when metrics are on.
pub struct SniResolver {
    pub store: Arc<CertStore>,
    pub handshakes: Option<HandshakeCounters>,
}

#[async_trait]
impl TlsAccept for SniResolver {
    async fn certificate_callback(&self, ssl: &mut TlsRef) {
        let server_name = ssl.servername(NameType::HOST_NAME).map(str::to_owned);
        let Some(certified) = self.store.select(server_name.as_deref()) else {
            if let Some(handshakes) = &self.handshakes {
                handshakes.no_certificate.inc();
            }
            log::info!("TLS handshake for unknown server name {server_name:?}: no certificate");
            return;
        };
        let installed = ssl_use_certificate(ssl, &certified.chain[0])
            .and_then(|()| ssl_use_private_key(ssl, &certified.key))
            .and_then(|()| {
                certified.chain[1..]
                    .iter()
                    .try_for_each(|cert| ssl_add_chain_cert(ssl, cert))
            });
        if let Err(err) = installed {
            if let Some(handshakes) = &self.handshakes {
                handshakes.no_certificate.inc();
            }
            log::error!("TLS handshake for {server_name:?}: could not use the certificate: {err}");
        }
    }

    async fn handshake_complete_callback(
        &self,
        _ssl: &TlsRef,
    ) -> Option<Arc<dyn Any + Send + Sync>> {
        if let Some(handshakes) = &self.handshakes {
            handshakes.ok.inc();
        }
        None
    }
}
