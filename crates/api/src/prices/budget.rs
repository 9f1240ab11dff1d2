//! The market-data budget. Finnhub's plan allows so many calls a minute for one key, whatever
//! the number of api replicas, so the budget is kept in the database (`models::quota`):
//!
//! - every call to Finnhub, retries included, takes one unit of the `finnhub` bucket, which
//!   holds at most `calls_per_minute` in any sliding minute;
//! - users' calls are refused once only `game_reserve` units are left, so the game (scheduler,
//!   staff steps) is always served first;
//! - each user may have at most `user_symbols_per_minute` symbols fetched for them in any
//!   minute (symbols answered from the cache are free).
//!
//! A limit of 0 turns that limit off.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::PriceError;
use crate::db::DbPool;
use crate::models::quota::{self, Grant};

const WINDOW: Duration = Duration::from_secs(60);
const CALLS_BUCKET: &str = "finnhub";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetSettings {
    /// Most calls to Finnhub in any minute, across replicas; 0 = no cap.
    pub calls_per_minute: u32,
    /// Calls of each minute only the game may make; less than `calls_per_minute` (settings
    /// check it).
    pub game_reserve: u32,
    /// Most symbols fetched for one user in any minute; 0 = no limit.
    pub user_symbols_per_minute: u32,
}

/// On whose behalf a call is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// The game: the scheduler and staff steps, served first.
    Game,
    /// A user's request (quotes, the watch list, the portfolio).
    User(i64),
}

#[derive(Clone)]
pub struct Budget {
    pool: DbPool,
    settings: BudgetSettings,
}

impl Budget {
    pub fn new(pool: DbPool, settings: BudgetSettings) -> Self {
        Self { pool, settings }
    }

    /// One call to Finnhub for `lane`, or `Throttled` with when to try again.
    pub async fn take_call(&self, lane: Lane) -> Result<(), PriceError> {
        let cap = i64::from(self.settings.calls_per_minute);
        if cap == 0 {
            return Ok(());
        }
        let limit = match lane {
            Lane::Game => cap,
            Lane::User(_) => cap - i64::from(self.settings.game_reserve),
        };
        let grant = self.take(CALLS_BUCKET.to_owned(), 1, limit, true).await?;
        throttled_unless(grant, 1)
    }

    /// How many of `wanted` symbols may be fetched for `user` now (the first ones asked for),
    /// and when more may be, if not all.
    pub async fn take_symbols(
        &self,
        user: i64,
        wanted: usize,
    ) -> Result<(usize, Option<Duration>), PriceError> {
        let limit = i64::from(self.settings.user_symbols_per_minute);
        if limit == 0 || wanted == 0 {
            return Ok((wanted, None));
        }
        let wanted_units = i64::try_from(wanted).unwrap_or(i64::MAX);
        let grant = self
            .take(format!("user:{user}"), wanted_units, limit, false)
            .await?;
        let granted = usize::try_from(grant.granted).unwrap_or(0);
        Ok((granted, grant.retry_at_ms.map(wait_until)))
    }

    async fn take(
        &self,
        bucket: String,
        wanted: i64,
        limit: i64,
        all_or_nothing: bool,
    ) -> Result<Grant, PriceError> {
        let window_ms = WINDOW.as_millis() as i64;
        self.pool
            .query(move |conn| {
                quota::take(
                    conn,
                    &bucket,
                    wanted,
                    limit,
                    window_ms,
                    now_ms(),
                    all_or_nothing,
                )
            })
            .await
            .map_err(|err| PriceError::Database(Arc::new(err)))
    }
}

fn throttled_unless(grant: Grant, wanted: i64) -> Result<(), PriceError> {
    match grant.retry_at_ms {
        Some(at) if grant.granted < wanted => Err(PriceError::Throttled {
            retry_after: wait_until(at),
        }),
        _ => Ok(()),
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as i64)
}

/// The wait until `at_ms` (Unix milliseconds), never less than a millisecond.
fn wait_until(at_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(at_ms - now_ms()).unwrap_or(0).max(1))
}
