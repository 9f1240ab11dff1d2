//! The "Limits" settings parsed: the connection bounds and the rate limits, where 0 turns a
//! cap or a rate off.

use std::num::NonZeroU32;

use super::error::{ConfigError, InvalidValue};
use super::values::at_least_one_second;
use crate::cli::{off_when_zero, LimitOptions};
use crate::connections::ConnectionSettings;
use crate::rate_limits::{Per, Rate, RateSettings};

pub fn connections(options: &LimitOptions) -> Result<ConnectionSettings, ConfigError> {
    if options.max_header_bytes == 0 {
        return Err(ConfigError::new(
            "PROXY_MAX_HEADER_BYTES",
            InvalidValue::Zero,
        ));
    }
    Ok(ConnectionSettings {
        max_total: (options.max_connections > 0).then_some(options.max_connections),
        max_per_ip: (options.max_connections_per_ip > 0).then_some(options.max_connections_per_ip),
        max_header_bytes: options.max_header_bytes,
        header_timeout: at_least_one_second(
            "PROXY_HEADER_TIMEOUT_SECS",
            options.header_timeout_secs,
        )?,
        keepalive: off_when_zero(options.keepalive_secs),
        client_timeout: at_least_one_second(
            "PROXY_CLIENT_TIMEOUT_SECS",
            options.client_timeout_secs,
        )?,
    })
}

pub fn rates(options: &LimitOptions) -> Result<RateSettings, ConfigError> {
    Ok(RateSettings {
        login: rate(
            ("PROXY_RATE_LOGIN_PER_MIN", options.rate_login_per_min),
            Per::Minute,
            ("PROXY_RATE_LOGIN_BURST", options.rate_login_burst),
        )?,
        api: rate(
            ("PROXY_RATE_API_PER_SEC", options.rate_api_per_sec),
            Per::Second,
            ("PROXY_RATE_API_BURST", options.rate_api_burst),
        )?,
        static_files: rate(
            ("PROXY_RATE_STATIC_PER_SEC", options.rate_static_per_sec),
            Per::Second,
            ("PROXY_RATE_STATIC_BURST", options.rate_static_burst),
        )?,
    })
}

/// A rate limit: `None` when its rate is 0 (off); a rate that is on needs a burst of 1 or more.
fn rate(
    (rate_setting, rate): (&'static str, u32),
    per: Per,
    (burst_setting, burst): (&'static str, u32),
) -> Result<Option<Rate>, ConfigError> {
    let Some(rate) = NonZeroU32::new(rate) else {
        return Ok(None);
    };
    let burst = NonZeroU32::new(burst)
        .ok_or_else(|| ConfigError::new(burst_setting, InvalidValue::NoBurst { rate_setting }))?;
    Ok(Some(Rate { rate, per, burst }))
}
