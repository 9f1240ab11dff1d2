//! The "Listeners" settings parsed: the metrics listener's address, which must keep to a port
//! of its own, and the worker threads.

use std::net::SocketAddr;

use super::error::{ConfigError, InvalidValue};
use super::tls::TlsConfig;
use super::values::{address, unless_blank};
use crate::cli::ListenerOptions;

/// The metrics listener's address, unless the setting is empty; it cannot share a port with the
/// other listeners (those would serve the metrics to the internet, or refuse to start).
pub fn metrics_listen(
    options: &ListenerOptions,
    listen: SocketAddr,
    tls: Option<&TlsConfig>,
) -> Result<Option<SocketAddr>, ConfigError> {
    const SETTING: &str = "PROXY_METRICS_LISTEN";
    let Some(raw) = unless_blank(options.metrics_listen.as_deref()) else {
        return Ok(None);
    };
    let address = address(SETTING, raw)?;
    let others = std::iter::once(("PROXY_LISTEN", listen))
        .chain(tls.map(|tls| ("PROXY_TLS_LISTEN", tls.listen)));
    for (other, taken) in others {
        if address.port() != 0 && address.port() == taken.port() {
            return Err(ConfigError::new(
                SETTING,
                InvalidValue::SharesPort {
                    address,
                    other,
                    taken,
                },
            ));
        }
    }
    Ok(Some(address))
}

/// `PROXY_THREADS`, where 0 means one per CPU.
pub fn threads(options: &ListenerOptions) -> usize {
    match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}
