//! The Wall Street game's endpoints.

pub mod leaderboard;
pub mod options;
pub mod selections;
pub mod weeks;

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::domain::buy_date::parse_iso_date;
use crate::error::ApiError;
use crate::game::Game;

/// The `sunday` query parameter as a date (any valid date; only Sundays have weeks), or the
/// current week when it is absent.
fn requested_week(query: &HashMap<String, String>, game: &Game) -> Result<NaiveDate, ApiError> {
    match query.get("sunday").map(|raw| raw.trim()) {
        Some(raw) if !raw.is_empty() => {
            parse_iso_date(raw).map_err(|err| ApiError::field("sunday", err))
        }
        _ => Ok(game.calendar.current_week(game.clock.now()).date()),
    }
}
