//! Certificates from PEM files, re-read when they change on disk (a renewal by another tool or
//! a replaced secret mount is picked up without a restart).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use pingora::server::ShutdownWatch;
use pingora::services::background::BackgroundService;

use super::store::{CertStore, CertificateError, Certified};

/// Why a certificate file pair cannot be served; the message starts with the file at fault.
#[derive(Debug, thiserror::Error)]
pub enum CertificateFileError {
    #[error("{}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Read, but not a certificate chain and its key (the path is the certificate's).
    #[error("{}: {source}", path.display())]
    Unusable {
        path: PathBuf,
        #[source]
        source: CertificateError,
    },
}

pub struct CertificateFiles {
    pairs: Vec<(PathBuf, PathBuf)>,
    store: Arc<CertStore>,
    interval: Duration,
}

impl CertificateFiles {
    /// Loads every pair now (a bad file stops start-up with a clear message).
    pub fn load(
        pairs: Vec<(PathBuf, PathBuf)>,
        store: Arc<CertStore>,
        interval: Duration,
    ) -> Result<Self, CertificateFileError> {
        let files = Self {
            pairs,
            store,
            interval,
        };
        for (cert, key) in &files.pairs {
            let certified = read(cert, key)?;
            log::info!(
                "TLS certificate {} for {:?}",
                cert.display(),
                certified.names
            );
            files.store.install(&source_name(cert), certified);
        }
        Ok(files)
    }

    fn modified(&self) -> Vec<Option<SystemTime>> {
        self.pairs
            .iter()
            .flat_map(|(cert, key)| [cert, key])
            .map(|path| std::fs::metadata(path).and_then(|m| m.modified()).ok())
            .collect()
    }

    fn reload(&self) {
        for (cert, key) in &self.pairs {
            match read(cert, key) {
                Ok(certified) => {
                    log::info!(
                        "TLS certificate {} reloaded for {:?}",
                        cert.display(),
                        certified.names
                    );
                    self.store.install(&source_name(cert), certified);
                }
                // A half-written pair (certificate replaced before its key) is retried at the
                // next check; the previous certificate keeps serving meanwhile.
                Err(err) => {
                    log::warn!("TLS certificate {} not reloaded yet: {err}", cert.display())
                }
            }
        }
    }
}

fn source_name(cert: &Path) -> String {
    format!("file:{}", cert.display())
}

fn read(cert: &Path, key: &Path) -> Result<Certified, CertificateFileError> {
    let chain = std::fs::read(cert).map_err(|source| unreadable(cert, source))?;
    let key_pem = std::fs::read(key).map_err(|source| unreadable(key, source))?;
    Certified::from_pem(&chain, &key_pem).map_err(|source| CertificateFileError::Unusable {
        path: cert.to_owned(),
        source,
    })
}

fn unreadable(path: &Path, source: std::io::Error) -> CertificateFileError {
    CertificateFileError::Unreadable {
        path: path.to_owned(),
        source,
    }
}

#[async_trait]
impl BackgroundService for CertificateFiles {
    async fn start(&self, mut shutdown: ShutdownWatch) {
        let mut seen = self.modified();
        loop {
            tokio::select! {
                _ = shutdown.changed() => return,
                _ = tokio::time::sleep(self.interval) => {}
            }
            let now = self.modified();
            if now != seen {
                self.reload();
                seen = now;
            }
        }
    }
}
