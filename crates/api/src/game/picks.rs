//! A player's picks: at most [`PICKS_PER_WEEK`] options a week, each at most once, only while
//! the week's picks are open. The limits are unique keys in the database (a slot number per
//! pick, the option per player), so they hold under concurrent requests.

use std::sync::Arc;

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::DbPool;
use crate::domain::Sunday;
use crate::game::{Game, GameError};
use crate::models::selection::{self, NewSelection, SelectionWithTicker};
use crate::models::week;

pub const PICKS_PER_WEEK: i16 = 3;
/// Attempts at taking a free pick slot when concurrent picks race for the same one.
const SLOT_ATTEMPTS: usize = 10;

/// Why one attempt at a pick did not succeed.
enum Attempt {
    Refused(GameError),
    /// A concurrent pick took the slot this one chose; try again with fresh data.
    Raced,
}

impl From<DieselError> for Attempt {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::Raced,
            other => Self::Refused(other.into()),
        }
    }
}

impl From<GameError> for Attempt {
    fn from(err: GameError) -> Self {
        Self::Refused(err)
    }
}

/// Records `player`'s pick of `option_id` in the lowest free slot of its week.
pub async fn pick(
    pool: &DbPool,
    game: Arc<Game>,
    player: i64,
    option_id: i64,
) -> Result<SelectionWithTicker, GameError> {
    pool.run(move |conn| {
        for _ in 0..SLOT_ATTEMPTS {
            let attempt = conn.write_transaction(|conn| -> Result<_, Attempt> {
                let option = week::find_option(conn, option_id)?
                    .ok_or(GameError::NoSuchOption(option_id))?;
                let sunday =
                    Sunday::from_date(option.sunday).ok_or(GameError::NoSuchOption(option_id))?;
                ensure_picks_open(&game, sunday)?;
                let (used, already) = selection::usage(conn, player, option.sunday, option_id)?;
                if already {
                    return Err(GameError::AlreadyPicked.into());
                }
                let slot = (1..=PICKS_PER_WEEK)
                    .find(|slot| !used.contains(slot))
                    .ok_or(GameError::PickLimit(PICKS_PER_WEEK))?;
                let new = NewSelection {
                    user_id: player,
                    option_id,
                    sunday: option.sunday,
                    slot,
                    created_at: game.clock.now().naive_utc(),
                };
                let row = selection::insert(conn, &new)?;
                Ok((row, option.ticker))
            });
            match attempt {
                Ok(created) => return Ok(created),
                Err(Attempt::Refused(err)) => return Err(err),
                Err(Attempt::Raced) => continue,
            }
        }
        Err(GameError::Busy)
    })
    .await
}

/// Deletes `player`'s pick `id`, while its week's picks are open.
pub async fn delete(pool: &DbPool, game: Arc<Game>, player: i64, id: i64) -> Result<(), GameError> {
    pool.run(move |conn| {
        conn.write_transaction(|conn| {
            let (found, _) = selection::find_for(conn, player, id)?.ok_or(GameError::NoSuchPick)?;
            let sunday = Sunday::from_date(found.sunday).ok_or(GameError::NoSuchPick)?;
            ensure_picks_open(&game, sunday)?;
            selection::delete_for(conn, player, id)?;
            Ok(())
        })
    })
    .await
}

fn ensure_picks_open(game: &Game, sunday: Sunday) -> Result<(), GameError> {
    if game.calendar.picks_open(sunday, game.clock.now()) {
        return Ok(());
    }
    Err(GameError::PicksClosed {
        sunday,
        closed_at: game.calendar.picks_close_at(sunday),
    })
}
