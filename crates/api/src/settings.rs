//! Typed, validated settings, built once from the command line and environment.

mod error;

pub use error::SettingsError;

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveTime;

use crate::auth::ThrottlePolicy;
use crate::cli::{
    DatabaseOptions, Environment, FxProvider, GameOptions, HistoryProvider, Options,
    PortfolioOptions, QuoteOptions, UserQuoteOptions,
};
use crate::db::{DatabaseUrl, PoolOptions};
use crate::domain::calendar::GameCalendar;
use crate::fx::{Ecb, RateProvider};
use crate::input::TrustedProxies;
use crate::prices::history::{DailyHistory, Stooq};
use crate::prices::{BudgetSettings, FinnhubSettings, QuoteCaching};

pub const MIN_SECRET_KEY_LEN: usize = 32;

/// Fragments that mark a key copied from an example rather than generated.
const PLACEHOLDER_MARKERS: &[&str] = &[
    "change-me",
    "changeme",
    "change_me",
    "placeholder",
    "insecure",
    "example",
    "your-secret",
    "your_secret",
    "replace-me",
    "replaceme",
    "dev-secret",
    "secret-key",
    "xxxxxxxx",
];

#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    pub database_url: DatabaseUrl,
    pub pool: PoolOptions,
    pub database_startup_wait: Duration,
    pub listen: SocketAddr,
    pub workers: usize,
    pub cors_origins: Vec<String>,
    pub static_dir: Option<PathBuf>,
    pub secret_key: SecretKey,
    pub access_token_lifetime: Duration,
    pub refresh_token_lifetime: Duration,
    /// How long an account check is reused in this process.
    pub account_cache: Duration,
    pub shutdown_timeout: Duration,
    pub trusted_proxies: TrustedProxies,
    pub hash_threads: usize,
    pub hash_queue: usize,
    pub login_throttle: ThrottlePolicy,
    pub prune_interval: Duration,
    pub calendar: GameCalendar,
    /// Market data, when `FINNHUB_TOKEN` is set.
    pub finnhub: Option<FinnhubSettings>,
    /// How long quotes are kept, whichever source they come from.
    pub quote_caching: QuoteCaching,
    pub budget: BudgetSettings,
    /// The daily-history provider, unless `HISTORY_PROVIDER=none`.
    pub history: Option<HistorySettings>,
    /// The exchange-rate provider, unless `FX_PROVIDER=none`.
    pub fx: Option<FxSettings>,
    /// Most entries of one watch list.
    pub watchlist_max: u32,
    /// How often the scheduler runs, when it runs (it needs market data).
    pub scheduler_interval: Option<Duration>,
}

/// The JWT signing key; `Debug` never prints it.
#[derive(Clone)]
pub struct SecretKey(String);

impl SecretKey {
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl Settings {
    /// Validates everything the server needs; `secret_key` is the raw `SECRET_KEY` value.
    pub fn from_options(
        options: &Options,
        secret_key: Option<String>,
        finnhub_token: Option<String>,
    ) -> Result<Self, SettingsError> {
        let Options {
            database,
            listen,
            http,
            tokens,
            logins,
            game,
            scheduler,
            quotes,
            user_quotes,
            portfolio,
        } = options;
        let database_url = database_url(database)?;
        let listen = listen
            .listen
            .to_socket_addrs()
            .map_err(|source| SettingsError::ListenAddress {
                address: listen.listen.clone(),
                source,
            })?
            .next()
            .ok_or_else(|| SettingsError::ListenResolvesToNothing {
                address: listen.listen.clone(),
            })?;
        if tokens.access_token_lifetime_secs == 0 || tokens.refresh_token_lifetime_secs == 0 {
            return Err(SettingsError::TokenLifetimeZero);
        }
        if database.database_pool_size == 0 {
            return Err(SettingsError::Zero {
                setting: "DATABASE_POOL_SIZE",
            });
        }
        let workers = per_cpu_unless_set(http.workers);
        let trusted_proxies = http
            .trusted_proxies
            .parse()
            .map_err(SettingsError::TrustedProxies)?;
        if logins.login_backoff_secs == 0 {
            return Err(SettingsError::Zero {
                setting: "API_LOGIN_BACKOFF_SECS",
            });
        }
        Ok(Self {
            environment: tokens.environment,
            database_url,
            pool: server_pool_options(database),
            database_startup_wait: Duration::from_secs(database.database_startup_wait_secs),
            listen,
            workers,
            cors_origins: split_list(&http.cors_origins),
            static_dir: http.static_dir.clone(),
            secret_key: secret_key_for(tokens.environment, secret_key)?,
            access_token_lifetime: Duration::from_secs(tokens.access_token_lifetime_secs),
            refresh_token_lifetime: Duration::from_secs(tokens.refresh_token_lifetime_secs),
            account_cache: Duration::from_millis(tokens.account_cache_ms),
            shutdown_timeout: Duration::from_secs(http.shutdown_timeout_secs),
            trusted_proxies,
            hash_threads: per_cpu_unless_set(logins.hash_threads),
            hash_queue: logins.hash_queue,
            login_throttle: ThrottlePolicy {
                per_pair: logins.login_failures_per_username,
                per_ip: logins.login_failures_per_ip,
                per_account: logins.login_failures_per_account,
                known_for: Duration::from_secs(tokens.refresh_token_lifetime_secs),
                backoff: Duration::from_secs(logins.login_backoff_secs),
                backoff_max: Duration::from_secs(
                    logins.login_backoff_max_secs.max(logins.login_backoff_secs),
                ),
                forget_after: Duration::from_secs(logins.login_failures_reset_secs),
            },
            prune_interval: Duration::from_secs(logins.prune_interval_secs.max(1)),
            calendar: calendar(game)?,
            finnhub: finnhub(quotes, finnhub_token),
            quote_caching: QuoteCaching {
                quote: Duration::from_secs(quotes.quote_cache_secs),
                unknown: Duration::from_secs(quotes.quote_unknown_cache_secs),
            },
            budget: budget(quotes, user_quotes)?,
            history: history(portfolio)?,
            fx: fx(portfolio)?,
            watchlist_max: portfolio.watchlist_max_entries.max(1),
            scheduler_interval: scheduler
                .wallstreet_scheduler
                .then(|| Duration::from_secs(scheduler.wallstreet_scheduler_interval_secs.max(1))),
        })
    }
}

/// `configured`, or one per CPU when it is 0.
fn per_cpu_unless_set(configured: usize) -> usize {
    match configured {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

pub fn calendar(options: &GameOptions) -> Result<GameCalendar, SettingsError> {
    let name = &options.wallstreet_timezone;
    let timezone = name.parse().map_err(|source| SettingsError::Timezone {
        name: name.clone(),
        source,
    })?;
    let time = |setting: &'static str, raw: &str| {
        NaiveTime::parse_from_str(raw.trim(), "%H:%M").map_err(|source| SettingsError::TimeOfDay {
            setting,
            raw: raw.to_owned(),
            source,
        })
    };
    let holidays = options
        .wallstreet_holidays
        .split(',')
        .map(str::trim)
        .filter(|day| !day.is_empty())
        .map(|day| {
            crate::domain::buy_date::parse_iso_date(day).map_err(|reason| SettingsError::Holiday {
                day: day.to_owned(),
                reason,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(GameCalendar {
        timezone,
        market_open: time("WALLSTREET_MARKET_OPEN", &options.wallstreet_market_open)?,
        market_close: time("WALLSTREET_MARKET_CLOSE", &options.wallstreet_market_close)?,
        holidays,
    })
}

/// Finnhub settings when a token is configured (`FINNHUB_TOKEN`, environment only).
pub fn finnhub(options: &QuoteOptions, token: Option<String>) -> Option<FinnhubSettings> {
    let token = token
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())?;
    Some(FinnhubSettings {
        base_url: options.finnhub_url.clone(),
        token,
        timeout: Duration::from_secs(options.finnhub_timeout_secs.max(1)),
        retries: 3,
        first_backoff: Duration::from_millis(200),
        quote_cache: Duration::from_secs(options.quote_cache_secs),
        unknown_cache: Duration::from_secs(options.quote_unknown_cache_secs),
    })
}

/// The market-data budget's limits (see `prices::budget`) in the server, which serves users
/// as well as the game.
pub fn budget(
    quotes: &QuoteOptions,
    users: &UserQuoteOptions,
) -> Result<BudgetSettings, SettingsError> {
    let budget = BudgetSettings {
        game_reserve: users.finnhub_game_reserve,
        user_symbols_per_minute: users.quote_user_symbols_per_minute,
        ..game_budget(quotes)
    };
    if budget.calls_per_minute > 0 && budget.game_reserve >= budget.calls_per_minute {
        return Err(SettingsError::GameReserveTooLarge {
            reserve: budget.game_reserve,
            calls_per_minute: budget.calls_per_minute,
        });
    }
    Ok(budget)
}

/// The budget of a command that calls Finnhub for the game only (`open-week`, `close-week`):
/// it shares the calls of the minute with every replica, and the users' limits, which only
/// hold users back, have nobody to apply to.
pub fn game_budget(quotes: &QuoteOptions) -> BudgetSettings {
    BudgetSettings {
        calls_per_minute: quotes.finnhub_calls_per_minute,
        game_reserve: 0,
        user_symbols_per_minute: 0,
    }
}

/// The daily-history provider, when one is configured.
pub fn history(options: &PortfolioOptions) -> Result<Option<HistorySettings>, SettingsError> {
    let url = options.history_url.trim().to_owned();
    match options.history_provider {
        HistoryProvider::None => Ok(None),
        HistoryProvider::Stooq if url.is_empty() => Err(SettingsError::HistoryUrlEmpty),
        provider => Ok(Some(HistorySettings {
            provider,
            url,
            timeout: Duration::from_secs(options.history_timeout_secs.max(1)),
        })),
    }
}

/// The exchange-rate provider, when one is configured.
pub fn fx(options: &PortfolioOptions) -> Result<Option<FxSettings>, SettingsError> {
    let url = options.fx_url.trim().to_owned();
    match options.fx_provider {
        FxProvider::None => Ok(None),
        FxProvider::Ecb if url.is_empty() => Err(SettingsError::FxUrlEmpty),
        FxProvider::Ecb => Ok(Some(FxSettings {
            url,
            timeout: Duration::from_secs(options.fx_timeout_secs.max(1)),
        })),
    }
}

/// Where exchange rates come from when the store lacks them (the ECB).
#[derive(Debug, Clone)]
pub struct FxSettings {
    pub url: String,
    pub timeout: Duration,
}

impl FxSettings {
    pub fn provider(&self) -> Result<std::sync::Arc<dyn RateProvider>, SettingsError> {
        let ecb = Ecb::new(self.url.clone(), self.timeout)
            .map_err(|reason| SettingsError::FxClient { reason })?;
        Ok(std::sync::Arc::new(ecb))
    }
}

/// Where daily closes come from when the store lacks them.
#[derive(Debug, Clone)]
pub struct HistorySettings {
    pub provider: HistoryProvider,
    pub url: String,
    pub timeout: Duration,
}

impl HistorySettings {
    pub fn provider(&self) -> Result<std::sync::Arc<dyn DailyHistory>, SettingsError> {
        match self.provider {
            HistoryProvider::Stooq => {
                let stooq = Stooq::new(self.url.clone(), self.timeout).map_err(|reason| {
                    SettingsError::HistoryClient {
                        provider: self.provider,
                        reason,
                    }
                })?;
                Ok(std::sync::Arc::new(stooq))
            }
            HistoryProvider::None => Err(SettingsError::NoHistoryProvider),
        }
    }
}

pub fn database_url(options: &DatabaseOptions) -> Result<DatabaseUrl, SettingsError> {
    options
        .database_url
        .parse()
        .map_err(|reason| SettingsError::DatabaseUrl { reason })
}

/// The pool of a command: waits as the server's does, but lets a statement run as long as it
/// needs.
pub fn pool_options(options: &DatabaseOptions) -> PoolOptions {
    PoolOptions {
        max_size: options.database_pool_size.max(1),
        acquire_timeout: Duration::from_secs(options.database_timeout_secs.max(1)),
        statement_timeout: None,
    }
}

/// The server's pool: no statement outlives the request that waits for it by more than a
/// second (PostgreSQL's `statement_timeout`), since the request is answered 503 once one wait
/// lasts `DATABASE_TIMEOUT_SECS`.
pub fn server_pool_options(options: &DatabaseOptions) -> PoolOptions {
    let commands = pool_options(options);
    PoolOptions {
        statement_timeout: Some(commands.acquire_timeout + Duration::from_secs(1)),
        ..commands
    }
}

fn split_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

fn secret_key_for(
    environment: Environment,
    raw: Option<String>,
) -> Result<SecretKey, SettingsError> {
    let raw = raw
        .map(|key| key.trim().to_owned())
        .filter(|key| !key.is_empty());
    if environment == Environment::Development {
        return Ok(SecretKey(raw.unwrap_or_else(|| {
            log::warn!(
                "SECRET_KEY is not set: using a random key; tokens will not survive a restart"
            );
            format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            )
        })));
    }
    let key = raw.ok_or(SettingsError::SecretKeyMissing)?;
    if key.chars().count() < MIN_SECRET_KEY_LEN {
        return Err(SettingsError::SecretKeyTooShort {
            min: MIN_SECRET_KEY_LEN,
        });
    }
    let lower = key.to_ascii_lowercase();
    let placeholder = PLACEHOLDER_MARKERS
        .iter()
        .any(|marker| lower.contains(marker))
        || key.chars().all(|c| key.starts_with(c));
    if placeholder {
        return Err(SettingsError::SecretKeyPlaceholder);
    }
    Ok(SecretKey(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD_KEY: &str = "3f9a1c0e5b7d2a4c6e8f0a1b3c5d7e9f1a2b4c6d";

    #[test]
    fn production_refuses_missing_short_and_placeholder_keys() {
        let refusal = |raw: Option<&str>| {
            secret_key_for(Environment::Production, raw.map(str::to_owned)).unwrap_err()
        };
        assert!(matches!(refusal(None), SettingsError::SecretKeyMissing));
        assert!(matches!(
            refusal(Some("   ")),
            SettingsError::SecretKeyMissing
        ));
        assert!(matches!(
            refusal(Some("short")),
            SettingsError::SecretKeyTooShort {
                min: MIN_SECRET_KEY_LEN
            }
        ));
        assert!(matches!(
            refusal(Some("change-me-to-a-long-random-string-please")),
            SettingsError::SecretKeyPlaceholder
        ));
        assert!(matches!(
            refusal(Some(&"a".repeat(64))),
            SettingsError::SecretKeyPlaceholder
        ));
        assert!(secret_key_for(Environment::Production, Some(GOOD_KEY.into())).is_ok());
    }

    /// The user's only guide to a short key: it says how long, and how to make one.
    #[test]
    fn a_short_key_is_refused_with_its_minimum_and_a_way_to_make_one() {
        let err = secret_key_for(Environment::Staging, Some("short".into())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "SECRET_KEY must be at least 32 characters; generate one with `openssl rand -hex 32`"
        );
    }

    #[test]
    fn an_unknown_database_url_names_the_setting_and_what_it_expects() {
        let options = DatabaseOptions {
            database_url: "mysql://nope".into(),
            database_pool_size: 1,
            database_timeout_secs: 1,
            database_startup_wait_secs: 0,
        };
        let err = database_url(&options).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"DATABASE_URL: expected postgres://… or sqlite://path, got "mysql://nope""#
        );
    }

    /// The parser's own error stays reachable, for whoever reports the chain of causes.
    #[test]
    fn a_bad_market_hour_keeps_the_parse_error_as_its_source() {
        let options = GameOptions {
            wallstreet_timezone: "America/New_York".into(),
            wallstreet_market_open: "09:30".into(),
            wallstreet_market_close: "25:00".into(),
            wallstreet_holidays: String::new(),
        };
        let err = calendar(&options).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"WALLSTREET_MARKET_CLOSE "25:00" is not HH:MM"#
        );
        let source = std::error::Error::source(&err).expect("a source");
        assert!(source.is::<chrono::ParseError>(), "{source:?}");
    }

    #[test]
    fn development_works_without_a_key() {
        assert!(secret_key_for(Environment::Development, None).is_ok());
    }
}
