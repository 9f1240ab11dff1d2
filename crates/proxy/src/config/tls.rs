//! The "TLS and ACME" settings parsed: the HTTPS listener and where its certificates come
//! from, and the rules a preloaded HSTS header must keep. (The header itself is the edge
//! policy's, `crate::edge`.)

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::error::{ConfigError, InvalidValue};
use super::values::{address, at_least_one_second, list, unless_blank};
use crate::cli::TlsOptions;
use crate::tls::acme::AcmeSettings;

/// HTTPS settings: where to listen and where certificates come from (files, ACME, or both).
#[derive(Debug, Clone)]
pub struct TlsConfig {
    pub listen: SocketAddr,
    pub files: Vec<(PathBuf, PathBuf)>,
    pub reload: Duration,
    pub acme: Option<AcmeSettings>,
}

/// The HTTPS listener, if `PROXY_TLS_LISTEN` is set; certificates without it, or it without
/// certificates, are a mistake rather than plain HTTP.
pub fn tls_config(options: &TlsOptions) -> Result<Option<TlsConfig>, ConfigError> {
    let certs = list(options.tls_cert.as_deref());
    let keys = list(options.tls_key.as_deref());
    let domains: Vec<String> = list(options.acme_domains.as_deref())
        .into_iter()
        .map(|d| d.to_ascii_lowercase())
        .collect();
    let Some(listen) = unless_blank(options.tls_listen.as_deref()) else {
        if !certs.is_empty() || !domains.is_empty() {
            return Err(ConfigError::new(
                "PROXY_TLS_LISTEN",
                InvalidValue::NoHttpsListener,
            ));
        }
        return Ok(None);
    };
    let listen = address("PROXY_TLS_LISTEN", listen)?;
    if certs.len() != keys.len() {
        return Err(ConfigError::new(
            "PROXY_TLS_KEY",
            InvalidValue::UnpairedKeys {
                certificates: certs.len(),
                keys: keys.len(),
            },
        ));
    }
    if certs.is_empty() && domains.is_empty() {
        return Err(ConfigError::new(
            "PROXY_TLS_CERT",
            InvalidValue::NoCertificates,
        ));
    }
    if let Some(bad) = domains.iter().find(|domain| !is_domain_name(domain)) {
        return Err(ConfigError::new(
            "PROXY_ACME_DOMAINS",
            InvalidValue::NotADomain(bad.clone()),
        ));
    }
    let acme = if domains.is_empty() {
        None
    } else {
        Some(acme_settings(options, domains)?)
    };
    Ok(Some(TlsConfig {
        listen,
        files: certs
            .into_iter()
            .map(PathBuf::from)
            .zip(keys.into_iter().map(PathBuf::from))
            .collect(),
        reload: at_least_one_second("PROXY_TLS_RELOAD_SECS", options.tls_reload_secs)?,
        acme,
    }))
}

/// A name a certificate authority can issue for: dot-separated labels of letters, digits and
/// hyphens, at least two of them.
fn is_domain_name(domain: &str) -> bool {
    domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn acme_settings(options: &TlsOptions, domains: Vec<String>) -> Result<AcmeSettings, ConfigError> {
    Ok(AcmeSettings {
        domains,
        email: options.acme_email.clone().filter(|e| !e.trim().is_empty()),
        directory: options.acme_directory.clone(),
        state_dir: options.acme_state_dir.clone(),
        ca_file: options.acme_ca_file.clone(),
        renew_before: options
            .acme_renew_before_secs
            .map(|secs| at_least_one_second("PROXY_ACME_RENEW_BEFORE_SECS", secs))
            .transpose()?,
        check_every: at_least_one_second("PROXY_ACME_CHECK_SECS", options.acme_check_secs)?,
    })
}

/// The shortest HSTS max-age browsers' preload lists accept: one year.
pub const HSTS_PRELOAD_MIN_AGE_SECS: u64 = 31_536_000;

/// `preload` asks browsers to put the site in their built-in HSTS list, which takes it only
/// with `includeSubDomains` and a max-age of a year or more: anything less is a mistake to
/// catch at start-up rather than a header the list refuses.
pub fn check_hsts_preload(options: &TlsOptions) -> Result<(), ConfigError> {
    const SETTING: &str = "PROXY_HSTS_PRELOAD";
    if !options.hsts_preload {
        return Ok(());
    }
    if options.hsts_max_age_secs < HSTS_PRELOAD_MIN_AGE_SECS {
        return Err(ConfigError::new(
            SETTING,
            InvalidValue::PreloadTooShort {
                min_secs: HSTS_PRELOAD_MIN_AGE_SECS,
            },
        ));
    }
    if !options.hsts_include_subdomains {
        return Err(ConfigError::new(
            SETTING,
            InvalidValue::PreloadWithoutSubdomains,
        ));
    }
    Ok(())
}
