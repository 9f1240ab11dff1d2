//! The database layer's one error type. Each variant keeps its typed cause (also its
//! `source()`) rather than a string, so a caller can still tell what failed and the log line
//! that finally reports it says why.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection within the pool's wait: the database is down or every connection is busy.
    #[error("database unavailable: {0}")]
    Unavailable(#[from] diesel::r2d2::PoolError),
    /// A connection attempt failed this long ago, for this reason, and the breaker answers
    /// without trying.
    #[error("database unavailable: a connection attempt failed {}ms ago: {reason}", .ago.as_millis())]
    Refused { ago: Duration, reason: String },
    /// One wait on the database (for a connection or for a statement's answer) lasted the
    /// limit; the work was abandoned.
    #[error("database did not answer within {}s", .0.as_secs_f64())]
    NoAnswer(Duration),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("could not prepare the database: cannot create {}: {source}", dir.display())]
    Setup {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("migration failed: {0}")]
    Migration(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The blocking task running the work panicked or was cancelled.
    #[error("database work did not finish: {0}")]
    Interrupted(#[from] tokio::task::JoinError),
}

impl DbError {
    /// Whether the database could not be had at all (as opposed to a query failing on it).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::Unavailable(_) | Self::Refused { .. } | Self::NoAnswer(_)
        )
    }
}
