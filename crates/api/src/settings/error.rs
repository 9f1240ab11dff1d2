//! What can be wrong with the configuration. Each variant is one kind of bad setting and
//! names the setting (in its message, or in a field when several settings share the kind), so
//! the user sees which variable to fix; a typed cause, where the parser gives one, stays
//! reachable through `source()`. The texts are the ones the server printed before it had
//! these types (tests, scripts and operators match on them); only the history client's names
//! its setting now, where it used to be the HTTP library's bare message.

use shared::client_ip::NetworkError;

use crate::cli::HistoryProvider;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// `DATABASE_URL` names no backend this server speaks, or no file. The parser's reason is
    /// text (`db::DatabaseUrl` has no error type of its own).
    #[error("DATABASE_URL: {reason}")]
    DatabaseUrl { reason: String },
    /// `API_LISTEN` is not `host:port`, or its host name could not be looked up.
    #[error("API_LISTEN {address:?} is not a host:port address: {source}")]
    ListenAddress {
        address: String,
        #[source]
        source: std::io::Error,
    },
    /// `API_LISTEN`'s host name was looked up, and had no address.
    #[error("API_LISTEN {address:?} resolves to no address")]
    ListenResolvesToNothing { address: String },
    /// A zero token lifetime would hand out tokens that are expired when issued.
    #[error("token lifetimes must be at least one second")]
    TokenLifetimeZero,
    /// A setting that counts something (connections, seconds) which cannot be none is 0.
    #[error("{setting} must be at least 1")]
    Zero { setting: &'static str },
    #[error("API_TRUSTED_PROXIES: {0}")]
    TrustedProxies(#[source] NetworkError),
    #[error("WALLSTREET_TIMEZONE {name:?} is not an IANA time zone")]
    Timezone {
        name: String,
        #[source]
        source: chrono_tz::ParseError,
    },
    /// One of the market's hours (`WALLSTREET_MARKET_OPEN`, `WALLSTREET_MARKET_CLOSE`).
    #[error("{setting} {raw:?} is not HH:MM")]
    TimeOfDay {
        setting: &'static str,
        raw: String,
        #[source]
        source: chrono::ParseError,
    },
    /// A day of `WALLSTREET_HOLIDAYS`; the reason is the date parser's text, which the API's
    /// users see as well.
    #[error("WALLSTREET_HOLIDAYS {day:?}: {reason}")]
    Holiday { day: String, reason: String },
    /// The game's share of the minute's calls would leave the users none.
    #[error(
        "FINNHUB_GAME_RESERVE ({reserve}) must be less than FINNHUB_CALLS_PER_MINUTE ({calls_per_minute})"
    )]
    GameReserveTooLarge { reserve: u32, calls_per_minute: u32 },
    #[error("HISTORY_URL is empty; set it or HISTORY_PROVIDER=none")]
    HistoryUrlEmpty,
    /// The provider's HTTP client could not be made (TLS set-up); the reason is its text.
    #[error("HISTORY_PROVIDER {provider:?}: cannot make its HTTP client: {reason}")]
    HistoryClient {
        provider: HistoryProvider,
        reason: String,
    },
    /// A provider was asked for although `HISTORY_PROVIDER=none`.
    #[error("no history provider is configured")]
    NoHistoryProvider,
    #[error("FX_URL is empty; set it or FX_PROVIDER=none")]
    FxUrlEmpty,
    /// The rate provider's HTTP client could not be made (TLS set-up); the reason is its text.
    #[error("FX_PROVIDER ecb: cannot make its HTTP client: {reason}")]
    FxClient { reason: String },
    /// Outside development, tokens signed with a random key would not survive a restart, nor
    /// be accepted by another replica.
    #[error("SECRET_KEY is required outside development (APP_ENV=development)")]
    SecretKeyMissing,
    #[error(
        "SECRET_KEY must be at least {min} characters; generate one with `openssl rand -hex 32`"
    )]
    SecretKeyTooShort { min: usize },
    /// A key copied from an example is public, and anyone could sign tokens with it.
    #[error("SECRET_KEY looks like a placeholder; generate one with `openssl rand -hex 32`")]
    SecretKeyPlaceholder,
}
