//! The rules every setting's value follows, whatever its heading: addresses, paths, lists,
//! and the seconds that cannot be off.

use std::net::SocketAddr;
use std::time::Duration;

use super::error::{ConfigError, InvalidValue};
use crate::cli::comma_separated;

/// An `ip:port` address (surrounding spaces allowed, as a `.env` file may leave them).
pub fn address(setting: &'static str, raw: &str) -> Result<SocketAddr, ConfigError> {
    raw.trim()
        .parse()
        .map_err(|_| ConfigError::new(setting, InvalidValue::NotAnAddress(raw.to_owned())))
}

/// A setting that is off when unset or blank: its trimmed value otherwise.
pub fn unless_blank(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|raw| !raw.is_empty())
}

/// The items of a comma-separated setting that may be unset.
pub fn list(raw: Option<&str>) -> Vec<String> {
    comma_separated(raw.unwrap_or_default())
        .map(str::to_owned)
        .collect()
}

/// A `*_SECS` setting that cannot be off: 0 is an error (the second half of the rule in
/// `--help`; [`crate::cli::off_when_zero`] is the first).
pub fn at_least_one_second(setting: &'static str, secs: u64) -> Result<Duration, ConfigError> {
    if secs == 0 {
        return Err(ConfigError::new(setting, InvalidValue::ZeroSeconds));
    }
    Ok(Duration::from_secs(secs))
}

/// A URL path, which the proxy compares with request paths as it is.
pub fn absolute_path(setting: &'static str, path: &str) -> Result<String, ConfigError> {
    if !path.starts_with('/') {
        return Err(ConfigError::new(
            setting,
            InvalidValue::NotAbsolutePath(path.to_owned()),
        ));
    }
    Ok(path.to_owned())
}
