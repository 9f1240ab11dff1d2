//! The Wall Street game's endpoints.

pub mod leaderboard;
pub mod options;
pub mod selections;
pub mod weeks;

use chrono::NaiveDate;

use crate::error::ApiError;
use crate::game::Game;
use crate::input::params::{self, Query};

/// The `sunday` query parameter as a date (any valid date; only Sundays have weeks), or the
/// current week when it is absent.
fn requested_week(query: &Query, game: &Game) -> Result<NaiveDate, ApiError> {
    Ok(params::date(query, "sunday")?
        .unwrap_or_else(|| game.calendar.current_week(game.clock.now()).date()))
}
