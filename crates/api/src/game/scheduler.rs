//! The in-process scheduler (the old celery beat): records start prices once a week's picks
//! close and closes each week after its last market close (both with Finnhub), records each
//! trading day's closes, and keeps the exchange rates of the currencies in use fresh. Every api replica runs it; a job
//! runs only in the instance that wins its claim in the database (see `models::week::claim`),
//! so each happens exactly once however many replicas there are. A claim that is not finished
//! within `CLAIM_LEASE` (a crashed instance) can be taken over.

use std::time::Duration;

use chrono::NaiveDateTime;

use crate::clock::SharedClock;
use crate::db::DbPool;
use crate::domain::calendar::GameCalendar;
use crate::domain::Sunday;
use crate::fx::DailyRates;
use crate::game::{lifecycle, GameError};
use crate::models::closes;
use crate::models::fx;
use crate::models::week::{self, Job};
use crate::prices::{DailyCloses, MarketData};
use crate::telemetry::metrics::{ScheduledJob, SchedulerMetrics};

const CLAIM_LEASE: chrono::Duration = chrono::Duration::minutes(10);
/// A trading day's closes are recorded this long after its close, when the quotes are final.
const CLOSES_AFTER: chrono::Duration = chrono::Duration::minutes(15);

pub struct Scheduler {
    pub pool: DbPool,
    pub calendar: GameCalendar,
    pub clock: SharedClock,
    /// Finnhub's quotes: the game's jobs and the daily closes need them.
    pub prices: Option<MarketData>,
    pub closes: DailyCloses,
    pub rates: DailyRates,
    pub interval: Duration,
    pub metrics: SchedulerMetrics,
}

impl Scheduler {
    /// Runs until the process ends.
    pub async fn run(self) {
        log::info!("wall street scheduler: checking every {:?}", self.interval);
        let mut ticker = tokio::time::interval(self.interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(err) = self.tick().await {
                log::error!("wall street scheduler: {err}");
            }
        }
    }

    /// One pass: start prices for every week whose picks have closed and that has none yet,
    /// then every week that is over and not yet closed, then the last trading day's closes
    /// (these with Finnhub's quotes); then the recent exchange rates.
    pub async fn tick(&self) -> Result<(), GameError> {
        if let Some(prices) = &self.prices {
            self.game_jobs(prices).await?;
        }
        self.refresh_rates().await
    }

    /// The recent rates of every currency in use, from the provider (at most once an hour
    /// per range asked; nothing without `FX_PROVIDER`).
    async fn refresh_rates(&self) -> Result<(), GameError> {
        let today = self.clock.now().date_naive();
        let currencies = self.pool.query(fx::currencies_in_use).await?;
        if let Err(err) = self.rates.refresh(&currencies, today).await {
            log::warn!("exchange rates: refresh failed: {err}");
        }
        Ok(())
    }

    async fn game_jobs(&self, prices: &MarketData) -> Result<(), GameError> {
        let now = self.clock.now();
        let current = self.calendar.current_week(now);
        let unstarted = self
            .pool
            .query(move |conn| week::unstarted_until(conn, current.date()))
            .await?;
        for sunday in unstarted.into_iter().filter_map(Sunday::from_date) {
            if now < self.calendar.picks_close_at(sunday)
                || !self
                    .claim(sunday, Job::RecordStartPrices, now.naive_utc())
                    .await?
            {
                continue;
            }
            let opened = lifecycle::open_week(&self.pool, sunday, prices, now.naive_utc()).await;
            self.metrics.ran(
                ScheduledJob::RecordStartPrices,
                matches!(opened, Ok(_) | Err(GameError::NoOptions(_))),
            );
            match opened {
                Ok(options) => log::info!(
                    "week {sunday}: recorded start prices for {} options",
                    options.len()
                ),
                Err(GameError::NoOptions(_)) => {}
                Err(err) => log::error!("week {sunday}: recording start prices failed: {err}"),
            }
        }
        let pending = self
            .pool
            .query(move |conn| week::unclosed_until(conn, current.date()))
            .await?;
        for sunday in pending.into_iter().filter_map(Sunday::from_date) {
            if now < self.calendar.week_ends_at(sunday)
                || !self.claim(sunday, Job::Close, now.naive_utc()).await?
            {
                continue;
            }
            let closed = lifecycle::close_week(&self.pool, sunday, prices, now.naive_utc()).await;
            self.metrics.ran(ScheduledJob::CloseWeek, closed.is_ok());
            match closed {
                Ok(options) => {
                    log::info!("week {sunday}: closed and scored {} options", options.len())
                }
                Err(err) => {
                    log::error!("week {sunday}: closing failed (retried after the lease): {err}")
                }
            }
        }
        self.record_closes(now, prices).await
    }

    /// The closes of the last trading day of every symbol held or watched, once across
    /// replicas; days missed (the server was down) are backfilled when history needs them.
    async fn record_closes(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        prices: &MarketData,
    ) -> Result<(), GameError> {
        let day = self.calendar.last_closed_day(now);
        let (now, stale) = (now.naive_utc(), now.naive_utc() - CLAIM_LEASE);
        if now < (self.calendar.close_at(day) + CLOSES_AFTER).naive_utc()
            || !self
                .pool
                .query(move |conn| closes::claim_day(conn, day, now, stale))
                .await?
        {
            return Ok(());
        }
        let recorded = self.closes.record_day(day, prices).await;
        self.metrics
            .ran(ScheduledJob::RecordCloses, recorded.is_ok());
        match recorded {
            Ok(count) => log::info!("closes of {day}: recorded {count}"),
            Err(err) => {
                log::error!("closes of {day}: failed (retried after the lease): {err}");
                return Ok(());
            }
        }
        self.pool
            .query(move |conn| closes::mark_day_done(conn, day, now))
            .await?;
        Ok(())
    }

    async fn claim(&self, sunday: Sunday, job: Job, now: NaiveDateTime) -> Result<bool, GameError> {
        Ok(self
            .pool
            .query(move |conn| week::claim(conn, sunday.date(), job, now, now - CLAIM_LEASE))
            .await?)
    }
}
