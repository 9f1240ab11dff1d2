//! The database layer's one error type. Each variant keeps its typed cause (also its
//! `source()`) rather than a string, so a caller can still tell what failed and the log line
//! that finally reports it says why.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection within the pool's wait: the database is down or every connection is busy.
    #[error("database unavailable: {0}")]
    Unavailable(#[from] diesel::r2d2::PoolError),
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
