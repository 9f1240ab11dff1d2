//! `proxy healthcheck`: asks the proxy at `PROXY_LISTEN` for its health endpoint, so a
//! container's health check can run the proxy's own binary instead of needing curl.

use std::time::Duration;

use crate::cli::Options;

/// How long the probe waits to connect, and then for the answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Why the proxy counts as unhealthy.
#[derive(Debug, thiserror::Error)]
pub enum HealthcheckError {
    /// There is nothing to ask: the setting names no address.
    #[error("PROXY_LISTEN {0:?} is not an ip:port address")]
    NotAnAddress(String),
    /// No answer, or not a 2xx one; the probe's reason is its text.
    #[error("{0}")]
    NoHealthyAnswer(String),
}

/// Succeeds when the proxy answers its health endpoint with a 2xx status.
pub fn probe(options: &Options) -> Result<(), HealthcheckError> {
    let listen = &options.listeners.listen;
    let address = listen
        .trim()
        .parse()
        .map_err(|_| HealthcheckError::NotAnAddress(listen.clone()))?;
    shared::probe::probe(address, &options.health_checks.health_path, PROBE_TIMEOUT)
        .map_err(HealthcheckError::NoHealthyAnswer)
}
