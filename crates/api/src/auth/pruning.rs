//! Deleting what has expired from the auth tables, in the background on every replica
//! (deleting the same rows twice is harmless). It runs whatever else is configured: unlike
//! the game's scheduler it needs no market data.

use std::time::Duration;

use chrono::Utc;

use super::throttle::ThrottlePolicy;
use crate::db::{DbError, DbPool};
use crate::models::{login_throttle, session};

pub struct Pruner {
    pub pool: DbPool,
    pub policy: ThrottlePolicy,
    pub interval: Duration,
}

impl Pruner {
    /// Runs until the process ends.
    pub async fn run(self) {
        let mut ticker = tokio::time::interval(self.interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match self.prune().await {
                Ok((0, 0)) => {}
                Ok((counters, sessions)) => log::info!(
                    "pruned {counters} forgotten login counters and addresses, and {sessions} expired sessions"
                ),
                Err(err) => log::warn!("pruning expired auth state failed: {err}"),
            }
        }
    }

    async fn prune(&self) -> Result<(usize, usize), DbError> {
        let now = Utc::now().timestamp();
        let forget_before =
            now - i64::try_from(self.policy.forget_after.as_secs()).unwrap_or(i64::MAX);
        let known_since = now - i64::try_from(self.policy.known_for.as_secs()).unwrap_or(i64::MAX);
        self.pool
            .query(move |conn| {
                Ok((
                    login_throttle::prune(conn, now, forget_before)?
                        + login_throttle::prune_addresses(conn, known_since)?,
                    session::prune(conn, now)?,
                ))
            })
            .await
    }
}
