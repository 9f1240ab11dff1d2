//! The shared usage log behind the market-data budget (`prices::budget`): sliding one-minute
//! windows per bucket, in the database so every replica draws on the same allowance.

use diesel::prelude::*;

use crate::db::schema::{quota_lock, quota_uses};
use crate::db::DbConn;
use crate::with_conn;

/// What a bucket grants: `granted` of the amount asked for (possibly 0), and when asking
/// again can get more, if it was short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub granted: i64,
    /// Unix milliseconds at which the next unit frees up; `None` when all was granted.
    pub retry_at_ms: Option<i64>,
}

/// Takes up to `wanted` units from `bucket`, where at most `limit` units may be used in any
/// `window_ms`; `all_or_nothing` grants either everything or nothing. One write transaction:
/// it first updates the lock row, which serialises concurrent takers on PostgreSQL as
/// `BEGIN IMMEDIATE` does on SQLite, so the limit holds across replicas.
pub fn take(
    conn: &mut DbConn,
    bucket: &str,
    wanted: i64,
    limit: i64,
    window_ms: i64,
    now_ms: i64,
    all_or_nothing: bool,
) -> QueryResult<Grant> {
    conn.write_transaction(|conn| {
        let since = now_ms - window_ms;
        with_conn!(conn, |c| {
            diesel::update(quota_lock::table.find(1))
                .set(quota_lock::touched.eq(now_ms))
                .execute(c)?;
            diesel::delete(quota_uses::table.filter(quota_uses::used_at.le(since))).execute(c)
        })?;
        let uses: Vec<(i64, i32)> = with_conn!(conn, |c| quota_uses::table
            .filter(quota_uses::bucket.eq(bucket))
            .order(quota_uses::used_at)
            .select((quota_uses::used_at, quota_uses::amount))
            .load(c))?;
        let used: i64 = uses.iter().map(|(_, amount)| i64::from(*amount)).sum();
        let free = (limit - used).max(0);
        let granted = match (wanted.min(free), all_or_nothing) {
            (some, true) if some < wanted => 0,
            (some, _) => some,
        };
        if granted > 0 {
            let amount = i32::try_from(granted).unwrap_or(i32::MAX);
            with_conn!(conn, |c| diesel::insert_into(quota_uses::table)
                .values((
                    quota_uses::bucket.eq(bucket),
                    quota_uses::used_at.eq(now_ms),
                    quota_uses::amount.eq(amount),
                ))
                .execute(c))?;
        }
        if granted == wanted {
            return Ok(Grant {
                granted,
                retry_at_ms: None,
            });
        }
        // The units that must leave the window before the rest (or the next one) fits.
        let next = if all_or_nothing { wanted.min(limit) } else { 1 };
        let needed = used + granted + next - limit;
        Ok(Grant {
            granted,
            retry_at_ms: Some(frees_up_at(&uses, needed, window_ms, now_ms)),
        })
    })
}

/// When the oldest uses, `needed` units of them, have left the window (at least 1 ms from now).
fn frees_up_at(uses: &[(i64, i32)], needed: i64, window_ms: i64, now_ms: i64) -> i64 {
    let mut freed = 0;
    for (used_at, amount) in uses {
        freed += i64::from(*amount);
        if freed >= needed {
            return (used_at + window_ms).max(now_ms + 1);
        }
    }
    uses.last()
        .map_or(now_ms + window_ms, |(at, _)| at + window_ms)
}
