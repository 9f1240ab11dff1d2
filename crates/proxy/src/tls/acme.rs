//! Automatic certificates (ACME, RFC 8555) with HTTP-01 challenges answered by the proxy's own
//! plain-HTTP listener. The account key and the certificate live in the state directory, so a
//! restart serves the stored certificate instead of ordering a new one. Renewal starts at two
//! thirds of the lifetime (or earlier when configured); a failed attempt is retried with
//! backoff while the current certificate keeps serving.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier, NewAccount,
    NewOrder, OrderStatus, RetryPolicy,
};
use pingora::server::ShutdownWatch;
use pingora::services::background::BackgroundService;

use super::store::{CertStore, CertificateError, Certified};

/// HTTP-01 tokens being validated: token -> key authorization.
pub type Challenges = Arc<RwLock<HashMap<String, String>>>;

pub const CHALLENGE_PREFIX: &str = "/.well-known/acme-challenge/";

const STORE_SOURCE: &str = "acme";
/// The first wait after a failed order, doubling after each further failure: certificate
/// authorities rate-limit failed validations (Let's Encrypt: 5 per name per hour).
const FIRST_RETRY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct AcmeSettings {
    pub domains: Vec<String>,
    pub email: Option<String>,
    pub directory: String,
    pub state_dir: PathBuf,
    /// An extra CA to trust for the ACME server's own HTTPS (private or test CAs such as Pebble).
    pub ca_file: Option<PathBuf>,
    /// Renew when less than this remains, instead of at two thirds of the lifetime.
    pub renew_before: Option<Duration>,
    pub check_every: Duration,
}

/// `PROXY_ACME_STATE_DIR` cannot be made (or is not a folder): there would be nowhere to keep
/// the account and the certificate.
#[derive(Debug, thiserror::Error)]
#[error("PROXY_ACME_STATE_DIR {}: {source}", state_dir.display())]
pub struct StateDirError {
    pub state_dir: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Why the certificate kept in the state folder cannot be served again (a new one is ordered).
#[derive(Debug, thiserror::Error)]
enum StoredCertificateError {
    #[error("{0}")]
    Unreadable(#[from] std::io::Error),
    #[error("{0}")]
    Unusable(#[from] CertificateError),
}

pub struct AcmeManager {
    settings: AcmeSettings,
    store: Arc<CertStore>,
    challenges: Challenges,
}

impl AcmeManager {
    /// Prepares the state directory and serves a stored certificate right away, if there is one.
    pub fn new(
        settings: AcmeSettings,
        store: Arc<CertStore>,
    ) -> Result<(Self, Challenges), StateDirError> {
        std::fs::create_dir_all(&settings.state_dir).map_err(|source| StateDirError {
            state_dir: settings.state_dir.clone(),
            source,
        })?;
        let challenges: Challenges = Arc::default();
        let manager = Self {
            settings,
            store,
            challenges: challenges.clone(),
        };
        match manager.load_stored() {
            Ok(Some(certified)) => {
                log::info!(
                    "ACME: serving the stored certificate for {:?} (valid until {})",
                    certified.names,
                    httpdate::fmt_http_date(certified.not_after)
                );
                manager.store.install(STORE_SOURCE, certified);
            }
            Ok(None) => log::info!(
                "ACME: no stored certificate yet for {:?}",
                manager.settings.domains
            ),
            Err(err) => log::warn!(
                "ACME: the stored certificate is unusable ({err}); a new one will be ordered"
            ),
        }
        Ok((manager, challenges))
    }

    fn path(&self, name: &str) -> PathBuf {
        self.settings.state_dir.join(name)
    }

    fn load_stored(&self) -> Result<Option<Certified>, StoredCertificateError> {
        let (cert, key) = (self.path("certificate.pem"), self.path("private-key.pem"));
        if !cert.exists() || !key.exists() {
            return Ok(None);
        }
        let chain = std::fs::read(&cert)?;
        let key = std::fs::read(&key)?;
        Ok(Some(Certified::from_pem(&chain, &key)?))
    }

    /// Whether the served certificate is missing, does not cover every domain, or is due.
    fn renewal_due(&self, now: SystemTime) -> Option<String> {
        let Some(current) = self.store.get(STORE_SOURCE) else {
            return Some("no certificate".into());
        };
        if let Some(missing) = self
            .settings
            .domains
            .iter()
            .find(|d| !current.names.contains(d))
        {
            return Some(format!("{missing} is not covered"));
        }
        let lifetime = current
            .not_after
            .duration_since(current.not_before)
            .unwrap_or_default();
        let renew_at = match self.settings.renew_before {
            Some(before) => current
                .not_after
                .checked_sub(before)
                .unwrap_or(SystemTime::UNIX_EPOCH),
            None => current.not_before + lifetime * 2 / 3,
        };
        (now >= renew_at)
            .then(|| format!("it expires {}", httpdate::fmt_http_date(current.not_after)))
    }

    async fn account(&self) -> Result<Account, String> {
        let builder = || match &self.settings.ca_file {
            Some(ca) => Account::builder_with_root(ca),
            None => Account::builder(),
        };
        let credentials_path = self.path("account.json");
        if let Ok(text) = std::fs::read_to_string(&credentials_path) {
            let credentials: AccountCredentials =
                serde_json::from_str(&text).map_err(|err| format!("account.json: {err}"))?;
            return builder()
                .map_err(|err| err.to_string())?
                .from_credentials(credentials)
                .await
                .map_err(|err| format!("restoring the ACME account: {err}"));
        }
        let contact = self
            .settings
            .email
            .as_ref()
            .map(|email| format!("mailto:{email}"));
        let contacts: Vec<&str> = contact.iter().map(String::as_str).collect();
        let new = NewAccount {
            contact: &contacts,
            terms_of_service_agreed: true,
            only_return_existing: false,
        };
        let (account, credentials) = builder()
            .map_err(|err| err.to_string())?
            .create(&new, self.settings.directory.clone(), None)
            .await
            .map_err(|err| format!("creating the ACME account: {err}"))?;
        let json = serde_json::to_string_pretty(&credentials).map_err(|err| err.to_string())?;
        write_private(&credentials_path, json.as_bytes())?;
        log::info!("ACME: account created at {}", self.settings.directory);
        Ok(account)
    }

    /// Orders a certificate for every configured domain and installs it.
    async fn order(&self) -> Result<(), String> {
        let account = self.account().await?;
        let identifiers: Vec<Identifier> = self
            .settings
            .domains
            .iter()
            .map(|d| Identifier::Dns(d.clone()))
            .collect();
        let mut order = account
            .new_order(&NewOrder::new(&identifiers))
            .await
            .map_err(|err| format!("new order: {err}"))?;
        log::info!("ACME: order placed for {:?}", self.settings.domains);
        let mut tokens = Vec::new();
        let mut authorizations = order.authorizations();
        while let Some(authorization) = authorizations.next().await {
            let mut authorization = authorization.map_err(|err| format!("authorization: {err}"))?;
            match authorization.status {
                AuthorizationStatus::Valid => continue,
                AuthorizationStatus::Pending => {}
                other => return Err(format!("authorization is {other:?}")),
            }
            let mut challenge = authorization
                .challenge(ChallengeType::Http01)
                .ok_or("the ACME server offers no http-01 challenge")?;
            let key_authorization = challenge.key_authorization().as_str().to_owned();
            self.challenges
                .write()
                .expect("challenges")
                .insert(challenge.token.clone(), key_authorization);
            tokens.push(challenge.token.clone());
            challenge
                .set_ready()
                .await
                .map_err(|err| format!("challenge ready: {err}"))?;
            log::info!(
                "ACME: http-01 challenge for {} is ready",
                challenge.identifier()
            );
        }
        let polling = RetryPolicy::default().timeout(Duration::from_secs(90));
        let status = order.poll_ready(&polling).await;
        let result = async {
            match status.map_err(|err| format!("waiting for validation: {err}"))? {
                OrderStatus::Ready => {}
                other => return Err(format!("the order became {other:?}")),
            }
            let key_pem = order
                .finalize()
                .await
                .map_err(|err| format!("finalize: {err}"))?;
            let chain_pem = order
                .poll_certificate(&polling)
                .await
                .map_err(|err| format!("certificate: {err}"))?;
            let certified = Certified::from_pem(chain_pem.as_bytes(), key_pem.as_bytes())
                .map_err(|err| err.to_string())?;
            write_private(&self.path("private-key.pem"), key_pem.as_bytes())?;
            write_private(&self.path("certificate.pem"), chain_pem.as_bytes())?;
            log::info!(
                "ACME: certificate issued for {:?}, valid until {}",
                certified.names,
                httpdate::fmt_http_date(certified.not_after)
            );
            self.store.install(STORE_SOURCE, certified);
            Ok(())
        }
        .await;
        let mut challenges = self.challenges.write().expect("challenges");
        for token in tokens {
            challenges.remove(&token);
        }
        result
    }
}

/// Writes a file readable by its owner only, atomically (a crash never leaves half a key).
fn write_private(path: &Path, data: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let temporary = path.with_extension("tmp");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(&temporary)
        .map_err(|err| format!("{}: {err}", temporary.display()))?;
    file.write_all(data)
        .and_then(|()| file.sync_all())
        .map_err(|err| format!("{}: {err}", temporary.display()))?;
    std::fs::rename(&temporary, path).map_err(|err| format!("{}: {err}", path.display()))
}

#[async_trait]
impl BackgroundService for AcmeManager {
    async fn start(&self, mut shutdown: ShutdownWatch) {
        let mut retry = FIRST_RETRY;
        loop {
            let wait = match self.renewal_due(SystemTime::now()) {
                None => {
                    retry = FIRST_RETRY;
                    self.settings.check_every
                }
                Some(reason) => {
                    log::info!(
                        "ACME: ordering a certificate for {:?} ({reason})",
                        self.settings.domains
                    );
                    match self.order().await {
                        Ok(()) => {
                            retry = FIRST_RETRY;
                            self.settings.check_every
                        }
                        Err(err) => {
                            log::error!("ACME: {err}; retrying in {retry:?} (the current certificate, if any, keeps serving)");
                            let wait = retry;
                            retry = (retry * 2)
                                .min(self.settings.check_every.max(Duration::from_secs(900)));
                            wait
                        }
                    }
                }
            };
            tokio::select! {
                _ = shutdown.changed() => return,
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }
}
