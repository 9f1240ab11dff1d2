//! Why the server could not start. The causes keep their types (`SettingsError`, `DbError`,
//! `io::Error`) up to `main`, which alone turns them into the user's message and exit code.

use std::net::SocketAddr;

use crate::db::DbError;
use crate::settings::SettingsError;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A bad setting; its message is the whole story, so it is shown as it is.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The pool could not be made, or the database was not reached or migrated within
    /// `DATABASE_STARTUP_WAIT_SECS`. `DbError` already says which.
    #[error(transparent)]
    Database(#[from] DbError),
    /// The stored password hashes, which set how long every login takes, could not be read.
    #[error("cannot calibrate the login timing: {0}")]
    LoginTiming(#[source] DbError),
    /// The address is taken, or not this host's, or needs privileges.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// Finnhub's HTTP client could not be made (TLS set-up); the reason is its text.
    #[error("cannot make the market-data client: {reason}")]
    MarketData { reason: String },
    /// actix refused the bound listener.
    #[error("cannot start the HTTP server: {0}")]
    Server(#[source] std::io::Error),
}
