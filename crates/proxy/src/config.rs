//! Configuration: the command line ([`crate::cli::Options`]) parsed and validated once at
//! start-up into [`ProxyConfig`]; the request path only ever reads that struct, never the
//! environment. Each part's own type comes from its module (upstreams, routing, edge, TLS).

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{comma_separated, off_when_zero, Options};
use crate::client_ip::{self, TrustedProxies};
use crate::connections::ConnectionSettings;
use crate::edge::EdgePolicy;
use crate::rate_limits::{Per, Rate, RateSettings};
use crate::routing::ApiPrefixes;
use crate::tls::acme::AcmeSettings;
use crate::upstreams::{UpstreamSettings, UpstreamTarget};

#[derive(Debug, Clone)]
pub struct ProxyConfig {
    pub listen: SocketAddr,
    /// The metrics listener; `None`: no metrics.
    pub metrics_listen: Option<SocketAddr>,
    pub upstreams: UpstreamSettings,
    pub static_dir: PathBuf,
    pub api_prefixes: ApiPrefixes,
    pub health_path: String,
    pub upstream_timeout: Duration,
    pub connections: ConnectionSettings,
    pub trusted_proxies: TrustedProxies,
    pub rates: RateSettings,
    pub static_max_body_bytes: u64,
    pub static_max_age: Duration,
    pub shutdown_grace: Duration,
    pub threads: usize,
    pub tls: Option<TlsConfig>,
    pub edge: EdgePolicy,
}

/// HTTPS settings: where to listen and where certificates come from (files, ACME, or both).
#[derive(Debug, Clone)]
pub struct TlsConfig {
    pub listen: SocketAddr,
    pub files: Vec<(PathBuf, PathBuf)>,
    pub reload: Duration,
    pub acme: Option<AcmeSettings>,
}

/// What is wrong with the configuration: the setting and the reason.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {reason}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub reason: String,
}

fn invalid(setting: &'static str, reason: impl ToString) -> ConfigError {
    ConfigError {
        setting,
        reason: reason.to_string(),
    }
}

impl ProxyConfig {
    pub fn from_options(options: &Options) -> Result<Self, ConfigError> {
        let listen = options.listen.trim().parse().map_err(|_| {
            invalid(
                "PROXY_LISTEN",
                format!("{:?} is not an ip:port address", options.listen),
            )
        })?;
        let static_dir = options.static_dir.canonicalize().map_err(|err| {
            invalid(
                "PROXY_STATIC_DIR",
                format!("{}: {err}", options.static_dir.display()),
            )
        })?;
        if !static_dir.is_dir() {
            return Err(invalid(
                "PROXY_STATIC_DIR",
                format!("{} is not a folder", static_dir.display()),
            ));
        }
        if options.max_header_bytes == 0 {
            return Err(invalid("PROXY_MAX_HEADER_BYTES", "must be more than 0"));
        }
        let connections = ConnectionSettings {
            max_total: (options.max_connections > 0).then_some(options.max_connections),
            max_per_ip: (options.max_connections_per_ip > 0)
                .then_some(options.max_connections_per_ip),
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
        };
        let trusted_proxies = client_ip::trusted_proxies(
            options.trusted_proxies.as_deref().unwrap_or_default(),
            options.trust_forwarded,
        )
        .map_err(|err| invalid("PROXY_TRUSTED_PROXIES", err))?;
        let rates = RateSettings {
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
        };
        let upstreams = UpstreamSettings {
            targets: UpstreamTarget::parse_list(&options.upstreams)
                .map_err(|err| invalid("PROXY_UPSTREAMS", err))?,
            hosts_file: options.hosts_file.clone(),
            health_path: absolute_path(
                "PROXY_UPSTREAM_HEALTH_PATH",
                &options.upstream_health_path,
            )?,
            health_interval: at_least_one_second(
                "PROXY_HEALTH_INTERVAL_SECS",
                options.health_interval_secs,
            )?,
            dns_refresh: at_least_one_second("PROXY_DNS_REFRESH_SECS", options.dns_refresh_secs)?,
            passive_cooldown: off_when_zero(options.passive_cooldown_secs),
            connect_timeout: at_least_one_second(
                "PROXY_CONNECT_TIMEOUT_SECS",
                options.connect_timeout_secs,
            )?,
        };
        let tls = tls_config(options)?;
        check_hsts_preload(options)?;
        let metrics_listen = metrics_listen(options, listen, tls.as_ref())?;
        let edge = EdgePolicy::from_options(options, tls.as_ref().map(|tls| tls.listen.port()));
        Ok(Self {
            listen,
            metrics_listen,
            upstreams,
            static_dir,
            api_prefixes: ApiPrefixes::parse(&options.api_prefixes)
                .map_err(|err| invalid("PROXY_API_PREFIXES", err))?,
            health_path: absolute_path("PROXY_HEALTH_PATH", &options.health_path)?,
            upstream_timeout: at_least_one_second(
                "PROXY_UPSTREAM_TIMEOUT_SECS",
                options.upstream_timeout_secs,
            )?,
            connections,
            trusted_proxies,
            rates,
            static_max_body_bytes: options.static_max_body_bytes,
            static_max_age: Duration::from_secs(options.static_max_age_secs),
            shutdown_grace: Duration::from_secs(options.shutdown_grace_secs),
            threads: match options.threads {
                0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
                n => n,
            },
            tls,
            edge,
        })
    }
}

fn list(raw: Option<&str>) -> Vec<String> {
    comma_separated(raw.unwrap_or_default())
        .map(str::to_owned)
        .collect()
}

fn tls_config(options: &Options) -> Result<Option<TlsConfig>, ConfigError> {
    let certs = list(options.tls_cert.as_deref());
    let keys = list(options.tls_key.as_deref());
    let domains: Vec<String> = list(options.acme_domains.as_deref())
        .into_iter()
        .map(|d| d.to_ascii_lowercase())
        .collect();
    let Some(listen) = options
        .tls_listen
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    else {
        if !certs.is_empty() || !domains.is_empty() {
            return Err(invalid(
                "PROXY_TLS_LISTEN",
                "certificates are configured but no HTTPS listener is",
            ));
        }
        return Ok(None);
    };
    let listen: SocketAddr = listen.parse().map_err(|_| {
        invalid(
            "PROXY_TLS_LISTEN",
            format!("{listen:?} is not an ip:port address"),
        )
    })?;
    if certs.len() != keys.len() {
        return Err(invalid(
            "PROXY_TLS_KEY",
            format!("{} certificates but {} keys", certs.len(), keys.len()),
        ));
    }
    if certs.is_empty() && domains.is_empty() {
        return Err(invalid(
            "PROXY_TLS_CERT",
            "HTTPS needs PROXY_TLS_CERT/PROXY_TLS_KEY or PROXY_ACME_DOMAINS",
        ));
    }
    for domain in &domains {
        let valid = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !valid {
            return Err(invalid(
                "PROXY_ACME_DOMAINS",
                format!("{domain:?} is not a domain name"),
            ));
        }
    }
    let acme = if domains.is_empty() {
        None
    } else {
        Some(AcmeSettings {
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

/// The shortest HSTS max-age browsers' preload lists accept: one year.
const HSTS_PRELOAD_MIN_AGE_SECS: u64 = 31_536_000;

/// `preload` asks browsers to put the site in their built-in HSTS list, which takes it only
/// with `includeSubDomains` and a max-age of a year or more: anything less is a mistake to
/// catch at start-up rather than a header the list refuses.
fn check_hsts_preload(options: &Options) -> Result<(), ConfigError> {
    const SETTING: &str = "PROXY_HSTS_PRELOAD";
    if !options.hsts_preload {
        return Ok(());
    }
    if options.hsts_max_age_secs < HSTS_PRELOAD_MIN_AGE_SECS {
        return Err(invalid(
            SETTING,
            format!("needs PROXY_HSTS_MAX_AGE_SECS of at least {HSTS_PRELOAD_MIN_AGE_SECS}"),
        ));
    }
    if !options.hsts_include_subdomains {
        return Err(invalid(SETTING, "needs PROXY_HSTS_INCLUDE_SUBDOMAINS=true"));
    }
    Ok(())
}

/// The metrics listener's address, unless the setting is empty; it cannot share a port with the
/// other listeners (those would serve the metrics to the internet, or refuse to start).
fn metrics_listen(
    options: &Options,
    listen: SocketAddr,
    tls: Option<&TlsConfig>,
) -> Result<Option<SocketAddr>, ConfigError> {
    const SETTING: &str = "PROXY_METRICS_LISTEN";
    let Some(raw) = options
        .metrics_listen
        .as_deref()
        .map(str::trim)
        .filter(|raw| !raw.is_empty())
    else {
        return Ok(None);
    };
    let address: SocketAddr = raw
        .parse()
        .map_err(|_| invalid(SETTING, format!("{raw:?} is not an ip:port address")))?;
    let others = std::iter::once(("PROXY_LISTEN", listen))
        .chain(tls.map(|tls| ("PROXY_TLS_LISTEN", tls.listen)));
    for (other, taken) in others {
        if address.port() != 0 && address.port() == taken.port() {
            return Err(invalid(
                SETTING,
                format!("{address} is on the port of {other} ({taken})"),
            ));
        }
    }
    Ok(Some(address))
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
    let burst = NonZeroU32::new(burst).ok_or_else(|| {
        invalid(
            burst_setting,
            format!("must be at least 1 while {rate_setting} is on"),
        )
    })?;
    Ok(Some(Rate { rate, per, burst }))
}

/// A `*_SECS` setting that cannot be off: 0 is an error (the second half of the rule in
/// `--help`; [`off_when_zero`] is the first).
fn at_least_one_second(setting: &'static str, secs: u64) -> Result<Duration, ConfigError> {
    if secs == 0 {
        return Err(invalid(
            setting,
            "must be at least 1 second (0 cannot turn this off)",
        ));
    }
    Ok(Duration::from_secs(secs))
}

fn absolute_path(setting: &'static str, path: &str) -> Result<String, ConfigError> {
    if !path.starts_with('/') {
        return Err(invalid(setting, format!("{path:?} must start with /")));
    }
    Ok(path.to_owned())
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    /// Settings for an HTTPS listener with ACME, so that the TLS seconds are read too.
    const TLS: [&str; 4] = [
        "--tls-listen",
        "127.0.0.1:8443",
        "--acme-domains",
        "example.test",
    ];

    /// The seconds settings that cannot be off, as flag and variable.
    const REQUIRED: [(&str, &str); 9] = [
        ("--header-timeout-secs", "PROXY_HEADER_TIMEOUT_SECS"),
        ("--health-interval-secs", "PROXY_HEALTH_INTERVAL_SECS"),
        ("--dns-refresh-secs", "PROXY_DNS_REFRESH_SECS"),
        ("--connect-timeout-secs", "PROXY_CONNECT_TIMEOUT_SECS"),
        ("--upstream-timeout-secs", "PROXY_UPSTREAM_TIMEOUT_SECS"),
        ("--client-timeout-secs", "PROXY_CLIENT_TIMEOUT_SECS"),
        ("--tls-reload-secs", "PROXY_TLS_RELOAD_SECS"),
        ("--acme-check-secs", "PROXY_ACME_CHECK_SECS"),
        ("--acme-renew-before-secs", "PROXY_ACME_RENEW_BEFORE_SECS"),
    ];

    /// The seconds settings that 0 turns off.
    const CAN_BE_OFF: [&str; 5] = [
        "--keepalive-secs",
        "--passive-cooldown-secs",
        "--hsts-max-age-secs",
        "--shutdown-grace-secs",
        "--static-max-age-secs",
    ];

    fn config(args: &[&str]) -> Result<ProxyConfig, ConfigError> {
        let base = ["proxy", "--static-dir", env!("CARGO_MANIFEST_DIR")];
        let options = Options::try_parse_from(base.iter().chain(args)).expect("valid flags");
        ProxyConfig::from_options(&options)
    }

    #[test]
    fn every_seconds_setting_follows_the_zero_rule() {
        let classified: Vec<String> = REQUIRED
            .iter()
            .map(|(flag, _)| *flag)
            .chain(CAN_BE_OFF)
            .map(|flag| flag.trim_start_matches("--").to_owned())
            .collect();
        for argument in Options::command().get_arguments() {
            if let Some(long) = argument.get_long().filter(|long| long.ends_with("-secs")) {
                assert!(
                    classified.iter().any(|known| known == long),
                    "--{long} is neither required nor one that 0 turns off"
                );
            }
        }
    }

    #[test]
    fn zero_is_an_error_for_the_seconds_that_cannot_be_off() {
        for (flag, setting) in REQUIRED {
            let err = config(&[&TLS[..], &[flag, "0"]].concat()).unwrap_err();
            assert_eq!(err.setting, setting, "{flag} 0");
            assert!(err.reason.contains("at least 1 second"), "{err}");
            assert!(
                config(&[&TLS[..], &[flag, "1"]].concat()).is_ok(),
                "{flag} 1"
            );
        }
    }

    #[test]
    fn zero_turns_off_the_seconds_that_can_be_off() {
        let with = |secs: &str| {
            let args: Vec<&str> = CAN_BE_OFF.iter().flat_map(|flag| [*flag, secs]).collect();
            config(&[&TLS[..], &args].concat()).expect("0 and 7 are both valid")
        };
        let off = with("0");
        assert_eq!(off.connections.keepalive, None);
        assert_eq!(off.upstreams.passive_cooldown, None);
        assert_eq!(off.edge.hsts, None);
        assert_eq!(off.shutdown_grace, Duration::ZERO);
        assert_eq!(off.static_max_age, Duration::ZERO);

        let seven = Duration::from_secs(7);
        let on = with("7");
        assert_eq!(on.connections.keepalive, Some(seven));
        assert_eq!(on.upstreams.passive_cooldown, Some(seven));
        assert_eq!(
            on.edge.hsts.as_deref(),
            Some("max-age=7; includeSubDomains")
        );
        assert_eq!(on.shutdown_grace, seven);
        assert_eq!(on.static_max_age, seven);
    }

    #[test]
    fn hsts_preload_needs_subdomains_and_a_year() {
        let year = HSTS_PRELOAD_MIN_AGE_SECS.to_string();
        let preload =
            |more: &[&str]| config(&[&TLS[..], &["--hsts-preload", "true"], more].concat());
        let on = preload(&["--hsts-max-age-secs", &year]).unwrap();
        assert_eq!(
            on.edge.hsts,
            Some(format!("max-age={year}; includeSubDomains; preload"))
        );
        for more in [
            &["--hsts-max-age-secs", "86400"][..],
            &[][..],
            &[
                "--hsts-max-age-secs",
                &year,
                "--hsts-include-subdomains",
                "false",
            ][..],
        ] {
            let err = preload(more).unwrap_err();
            assert_eq!(err.setting, "PROXY_HSTS_PRELOAD", "{more:?}");
        }
    }

    #[test]
    fn bad_upstreams_name_the_setting() {
        for bad in ["", "api", "api:", "api:0", "api:99999", "a b:80", ":80"] {
            let err = config(&["--upstreams", bad]).unwrap_err();
            assert_eq!(err.setting, "PROXY_UPSTREAMS", "{bad:?}");
        }
    }

    #[test]
    fn the_api_defaults_come_from_the_shared_paths() {
        let config = config(&[]).unwrap();
        for prefix in shared::paths::API_PREFIXES {
            assert!(config.api_prefixes.matches(prefix), "{prefix}");
        }
        assert_eq!(config.upstreams.health_path, shared::paths::API_HEALTH);
    }

    #[test]
    fn zero_turns_off_a_cap_or_a_rate_and_a_rate_needs_a_burst() {
        let defaults = config(&[]).unwrap();
        assert_eq!(defaults.connections.max_total, Some(2048));
        assert_eq!(defaults.connections.max_per_ip, Some(128));
        let login = defaults.rates.login.expect("on by default");
        assert_eq!(
            (login.rate.get(), login.per, login.burst.get()),
            (10, Per::Minute, 5)
        );
        assert!(defaults.rates.api.is_some() && defaults.rates.static_files.is_some());

        let off = config(&[
            "--max-connections",
            "0",
            "--max-connections-per-ip",
            "0",
            "--rate-login-per-min",
            "0",
            "--rate-login-burst",
            "0",
            "--rate-api-per-sec",
            "0",
            "--rate-static-per-sec",
            "0",
        ])
        .unwrap();
        assert_eq!(off.connections.max_total, None);
        assert_eq!(off.connections.max_per_ip, None);
        assert!(off.rates.login.is_none() && off.rates.api.is_none());
        assert!(off.rates.static_files.is_none());

        let err = config(&["--rate-api-burst", "0"]).unwrap_err();
        assert_eq!(err.setting, "PROXY_RATE_API_BURST");
    }

    #[test]
    fn the_metrics_listener_is_off_unless_set_and_has_a_port_of_its_own() {
        assert_eq!(config(&[]).unwrap().metrics_listen, None);
        assert_eq!(
            config(&["--metrics-listen", " "]).unwrap().metrics_listen,
            None
        );
        let on = config(&["--metrics-listen", "127.0.0.1:9091"]).unwrap();
        assert_eq!(on.metrics_listen, Some("127.0.0.1:9091".parse().unwrap()));
        for bad in ["9091", "localhost:9091", "127.0.0.1:8080", "0.0.0.0:8443"] {
            let err = config(&[&TLS[..], &["--metrics-listen", bad]].concat()).unwrap_err();
            assert_eq!(err.setting, "PROXY_METRICS_LISTEN", "{bad:?}");
        }
    }

    #[test]
    fn trusted_proxies_must_be_addresses_or_networks() {
        let err = config(&["--trusted-proxies", "10.0.0.0/8,lb.internal"]).unwrap_err();
        assert_eq!(err.setting, "PROXY_TRUSTED_PROXIES");
        assert!(err.reason.contains("lb.internal"), "{err}");
        let trusted = config(&["--trusted-proxies", "10.0.0.0/8"]).unwrap();
        assert!(trusted.trusted_proxies.trusts("10.1.2.3".parse().unwrap()));
        assert!(!trusted.trusted_proxies.trusts("192.0.2.1".parse().unwrap()));
    }
}
