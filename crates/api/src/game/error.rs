//! The game's one error type. It knows nothing of HTTP: `error.rs` maps it to responses, and the
//! command line prints it.

use chrono::{DateTime, Utc};

use crate::db::DbError;
use crate::domain::Sunday;
use crate::prices::PriceError;

#[derive(Debug, thiserror::Error)]
pub enum GameError {
    #[error("the week of {0} has no options")]
    NoOptions(Sunday),
    #[error("start prices are missing for {0}; open the week first or give them")]
    MissingStartPrices(String),
    /// The week cannot take this step now (not over yet, an unusable price, an option added
    /// while it was closing); the message says why.
    #[error("{0}")]
    NotReady(String),
    #[error("{0}")]
    Price(#[from] PriceError),
    /// A given price contradicts one already recorded, which is never changed.
    #[error("{0}")]
    PriceRecorded(String),
    #[error("Invalid pk \"{0}\" - object does not exist (invalid option).")]
    NoSuchOption(i64),
    #[error("Picks for the week of {sunday} closed at {} (market open).", closed_at.to_rfc3339())]
    PicksClosed {
        sunday: Sunday,
        closed_at: DateTime<Utc>,
    },
    #[error("You already picked this option.")]
    AlreadyPicked,
    /// Every one of the week's pick slots (their number is the field) is taken.
    #[error("You can pick at most {0} options per week; delete one to pick another.")]
    PickLimit(i16),
    /// Concurrent picks kept taking the free slot this one chose.
    #[error("Too many concurrent picks; try again.")]
    Busy,
    /// The player has no such pick (someone else's is none of theirs).
    #[error("no such pick")]
    NoSuchPick,
    #[error(transparent)]
    Database(#[from] DbError),
}

impl From<diesel::result::Error> for GameError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Database(err.into())
    }
}
