//! The configuration as the command line gives it: each rule `--help` states, held against
//! the settings clap knows, so a setting added later is held to it too.

use std::error::Error;
use std::time::Duration;

use clap::{CommandFactory, Parser};

use super::tls::HSTS_PRELOAD_MIN_AGE_SECS;
use super::{ConfigError, InvalidValue, ProxyConfig};
use crate::cli::Options;
use crate::rate_limits::Per;
use crate::upstreams::TargetError;

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
        assert!(matches!(err.reason, InvalidValue::ZeroSeconds), "{err}");
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
    let preload = |more: &[&str]| config(&[&TLS[..], &["--hsts-preload", "true"], more].concat());
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
    assert!(matches!(err.reason, InvalidValue::Networks(_)), "{err}");
    assert!(err.to_string().contains("lb.internal"), "{err}");
    let trusted = config(&["--trusted-proxies", "10.0.0.0/8"]).unwrap();
    assert!(trusted.trusted_proxies.trusts("10.1.2.3".parse().unwrap()));
    assert!(!trusted.trusted_proxies.trusts("192.0.2.1".parse().unwrap()));
}

/// The whole message for each kind of bad value, word for word: operators and scripts read
/// these, so a typed error must print what the text it replaced did.
#[test]
fn the_messages_read_as_they_always_have() {
    let tls_files = ["--tls-listen", "127.0.0.1:8443", "--tls-cert", "a.pem"];
    let cases: [(&[&str], &str); 8] = [
        (
            &["--listen", " everywhere"],
            "PROXY_LISTEN: \" everywhere\" is not an ip:port address",
        ),
        (
            &["--max-header-bytes", "0"],
            "PROXY_MAX_HEADER_BYTES: must be more than 0",
        ),
        (
            &["--rate-login-burst", "0"],
            "PROXY_RATE_LOGIN_BURST: must be at least 1 while PROXY_RATE_LOGIN_PER_MIN is on",
        ),
        (
            &["--health-path", "healthz"],
            "PROXY_HEALTH_PATH: \"healthz\" must start with /",
        ),
        (
            &["--metrics-listen", "127.0.0.1:8080"],
            "PROXY_METRICS_LISTEN: 127.0.0.1:8080 is on the port of PROXY_LISTEN (0.0.0.0:8080)",
        ),
        (&tls_files, "PROXY_TLS_KEY: 1 certificates but 0 keys"),
        (
            &[&TLS[..], &["--hsts-preload", "true"]].concat(),
            "PROXY_HSTS_PRELOAD: needs PROXY_HSTS_MAX_AGE_SECS of at least 31536000",
        ),
        (
            &["--upstreams", "api"],
            "PROXY_UPSTREAMS: \"api\" has no port (expected host:port)",
        ),
    ];
    for (args, message) in cases {
        assert_eq!(config(args).unwrap_err().to_string(), message, "{args:?}");
    }
}

#[test]
fn the_cause_stays_reachable_behind_the_setting() {
    let err = config(&["--upstreams", "api:99999"]).unwrap_err();
    let reason = err.source().expect("the reason is the source");
    let cause = reason
        .source()
        .expect("the parser's error is the reason's source");
    assert!(
        matches!(cause.downcast_ref(), Some(TargetError::Port(item)) if item == "api:99999"),
        "{cause:?}"
    );

    let missing = "/definitely/not/here";
    let options = Options::try_parse_from(["proxy", "--static-dir", missing]).unwrap();
    let err = ProxyConfig::from_options(&options).unwrap_err();
    let InvalidValue::Unreachable { path, source } = &err.reason else {
        panic!("{err:?}");
    };
    assert_eq!(path.to_str(), Some(missing));
    assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
}
