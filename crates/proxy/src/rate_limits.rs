//! Request rates per client at the edge: one token bucket per client address and class of
//! request (governor's GCRA), so a flood from one address is answered with a cheap 429 before
//! it reaches the api's password hashing or the disk. Classes: logins and registrations
//! (strict), other API calls (moderate) and static files (generous); the proxy's own health
//! endpoint is never limited.
//!
//! The buckets live in memory, one entry per address seen recently: [`Pruner`] drops the
//! entries that have refilled, so addresses that come and go do not pile up.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use percent_encoding::percent_decode_str;
use pingora::http::Method;
use pingora::server::ShutdownWatch;
use pingora::services::background::BackgroundService;

use crate::routing::{ApiPrefixes, Route};

/// How often buckets that have refilled are dropped from memory.
const PRUNE_EVERY: Duration = Duration::from_secs(10);

/// The classes of request, each with its own limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateClass {
    /// `POST` to `token/` or `users/` right under an API prefix: password checks and sign-ups.
    Login,
    /// Every other API request.
    Api,
    /// Everything served from the static folder.
    Static,
}

/// One class's limit: `rate` requests per `per`, with bursts of up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub rate: NonZeroU32,
    pub per: Per,
    pub burst: NonZeroU32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    Second,
    Minute,
}

/// The three limits; `None` is a limit turned off.
#[derive(Debug, Clone, Default)]
pub struct RateSettings {
    pub login: Option<Rate>,
    pub api: Option<Rate>,
    pub static_files: Option<Rate>,
}

/// The buckets of every class, shared by the listeners.
pub struct RateLimits {
    login: Option<DefaultKeyedRateLimiter<IpAddr>>,
    api: Option<DefaultKeyedRateLimiter<IpAddr>>,
    static_files: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// The login and registration paths under every API prefix, without a trailing slash.
    login_paths: Vec<String>,
}

impl Rate {
    fn quota(self) -> Quota {
        match self.per {
            Per::Second => Quota::per_second(self.rate),
            Per::Minute => Quota::per_minute(self.rate),
        }
        .allow_burst(self.burst)
    }
}

impl RateLimits {
    pub fn new(settings: &RateSettings, api_prefixes: &ApiPrefixes) -> Self {
        let limiter = |rate: Option<Rate>| rate.map(|rate| RateLimiter::dashmap(rate.quota()));
        let login_paths = api_prefixes
            .as_slice()
            .iter()
            .flat_map(|prefix| {
                let prefix = prefix.trim_end_matches('/');
                ["token", "users"].map(|name| format!("{prefix}/{name}"))
            })
            .collect();
        Self {
            login: limiter(settings.login),
            api: limiter(settings.api),
            static_files: limiter(settings.static_files),
            login_paths,
        }
    }

    /// The class of a request, or `None` for the ones never limited (the health endpoint).
    pub fn class(&self, method: &Method, path: &str, route: Route) -> Option<RateClass> {
        match route {
            Route::Health => None,
            Route::Static => Some(RateClass::Static),
            Route::Api if method == Method::POST && self.is_login(path) => Some(RateClass::Login),
            Route::Api => Some(RateClass::Api),
        }
    }

    /// Whether `path` is a login or registration, however it is spelled: percent-escapes,
    /// doubled slashes and the trailing slash do not change which api handler it reaches, so
    /// they do not change its class either.
    fn is_login(&self, path: &str) -> bool {
        let decoded = percent_decode_str(path).decode_utf8_lossy();
        let mut normal = String::with_capacity(decoded.len());
        for part in decoded.split('/').filter(|part| !part.is_empty()) {
            normal.push('/');
            normal.push_str(part);
        }
        self.login_paths.contains(&normal)
    }

    /// Takes one token from `key`'s bucket of `class`; when it is empty, how long until the
    /// next token.
    pub fn check(&self, class: RateClass, key: IpAddr) -> Result<(), Duration> {
        let limiter = match class {
            RateClass::Login => &self.login,
            RateClass::Api => &self.api,
            RateClass::Static => &self.static_files,
        };
        let Some(limiter) = limiter else {
            return Ok(());
        };
        limiter
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(limiter.clock().now()))
    }

    /// Forgets the buckets that have refilled (they are as good as new), and the memory they
    /// held.
    fn prune(&self) {
        for limiter in [&self.login, &self.api, &self.static_files]
            .into_iter()
            .flatten()
        {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// The background service that prunes the buckets every few seconds.
pub struct Pruner(pub Arc<RateLimits>);

#[async_trait]
impl BackgroundService for Pruner {
    async fn start(&self, mut shutdown: ShutdownWatch) {
        loop {
            tokio::select! {
                _ = shutdown.changed() => return,
                _ = tokio::time::sleep(PRUNE_EVERY) => self.0.prune(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(rate: u32, per: Per, burst: u32) -> Option<Rate> {
        Some(Rate {
            rate: NonZeroU32::new(rate).unwrap(),
            per,
            burst: NonZeroU32::new(burst).unwrap(),
        })
    }

    fn limits(settings: RateSettings) -> RateLimits {
        let prefixes = ApiPrefixes::parse(shared::paths::API_PREFIXES_SETTING).unwrap();
        RateLimits::new(&settings, &prefixes)
    }

    #[test]
    fn logins_and_registrations_are_their_own_class_however_spelled() {
        let limits = limits(RateSettings::default());
        let class = |method: Method, path: &str| limits.class(&method, path, Route::Api);
        for path in [
            "/api/token/",
            "/api/token",
            "/api/users/",
            "/portfolio/api/token/",
            "/portfolio/api/users",
            "/api//token/",
            "/api/%74oken/",
        ] {
            assert_eq!(class(Method::POST, path), Some(RateClass::Login), "{path}");
        }
        for path in ["/api/token/refresh/", "/api/users/me/", "/api/assets/"] {
            assert_eq!(class(Method::POST, path), Some(RateClass::Api), "{path}");
        }
        assert_eq!(class(Method::GET, "/api/token/"), Some(RateClass::Api));
        assert_eq!(
            limits.class(&Method::GET, "/app.js", Route::Static),
            Some(RateClass::Static)
        );
        assert_eq!(limits.class(&Method::GET, "/healthz", Route::Health), None);
    }

    #[test]
    fn a_bucket_allows_its_burst_then_says_how_long_to_wait() {
        let limits = limits(RateSettings {
            login: rate(1, Per::Minute, 2),
            ..RateSettings::default()
        });
        let alice: IpAddr = "192.0.2.1".parse().unwrap();
        let bob: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(limits.check(RateClass::Login, alice).is_ok());
        assert!(limits.check(RateClass::Login, alice).is_ok());
        let wait = limits.check(RateClass::Login, alice).unwrap_err();
        assert!(
            wait > Duration::from_secs(50) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        assert!(limits.check(RateClass::Login, bob).is_ok(), "per address");
        for _ in 0..100 {
            assert!(
                limits.check(RateClass::Api, alice).is_ok(),
                "an unset limit is off"
            );
        }
    }

    #[test]
    fn pruning_forgets_refilled_buckets_only() {
        let limits = limits(RateSettings {
            login: rate(1, Per::Minute, 1),
            static_files: rate(1000, Per::Second, 1),
            ..RateSettings::default()
        });
        let key: IpAddr = "192.0.2.1".parse().unwrap();
        limits.check(RateClass::Login, key).unwrap();
        limits.check(RateClass::Static, key).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        limits.prune();
        assert_eq!(limits.login.as_ref().unwrap().len(), 1, "still empty");
        assert_eq!(limits.static_files.as_ref().unwrap().len(), 0, "refilled");
    }
}
