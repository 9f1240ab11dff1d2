//! The api's Prometheus metrics, served at `GET /metrics` in the text format. One registry per
//! server (tests run several servers in one process); the parts that count get their own
//! handles at start-up: the request middleware, the database pool, the scheduler, the market
//! data cache and the Finnhub client.

use std::time::Duration;

use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry,
};
use shared::metrics::register;

use crate::db::{DbPool, PoolEvents};

/// Request latencies, in seconds: from a cached read to a slow password hash or upstream.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Waits for a database connection, in seconds: usually nothing, at worst the pool's timeout.
const WAIT_BUCKETS: &[f64] = &[
    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Every metric of one server, and the registry that serves them. Cheap to clone (the
/// handles are shared).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    pub requests: RequestMetrics,
    pub db: DbMetrics,
    pub scheduler: SchedulerMetrics,
    pub market: MarketMetrics,
}

/// What the request middleware counts.
#[derive(Clone)]
pub struct RequestMetrics {
    /// `api_http_requests_total{method, route, status}`.
    pub total: IntCounterVec,
    /// `api_http_request_duration_seconds{method, route}`.
    pub duration: HistogramVec,
    /// `api_login_failures_total`: wrong username or password at `/api/token/`.
    pub login_failures: IntCounter,
    /// `api_rate_limit_rejections_total{route}`: 429s.
    pub rate_limited: IntCounterVec,
}

/// The connection pool: sizes read at scrape time, waits as they happen.
#[derive(Clone)]
pub struct DbMetrics {
    connections: IntGaugeVec,
    max_connections: IntGauge,
    wait: Histogram,
    timeouts: IntCounter,
}

/// `api_scheduler_jobs_total{job, outcome}`: the game's scheduled jobs this instance ran.
#[derive(Clone)]
pub struct SchedulerMetrics {
    jobs: IntCounterVec,
}

/// Market data: the quote cache and the calls to Finnhub.
#[derive(Clone)]
pub struct MarketMetrics {
    /// `api_market_cache_lookups_total{cache, result}`: per cache (`quotes`, `profiles`,
    /// `closes`), `hit` (a kept answer), `merged` (waited for a lookup already in flight) or
    /// `miss` (a new lookup).
    cache: IntCounterVec,
    /// `api_finnhub_requests_total{endpoint, outcome}`: every HTTP attempt, by its status code
    /// or `timeout` / `error`.
    pub finnhub: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = RequestMetrics {
            total: register(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "api_http_requests_total",
                        "HTTP requests answered, by method, route template and status.",
                    ),
                    &["method", "route", "status"],
                ),
            ),
            duration: register(
                &registry,
                HistogramVec::new(
                    HistogramOpts::new(
                        "api_http_request_duration_seconds",
                        "Time from a request's arrival to its response, by method and route template.",
                    )
                    .buckets(LATENCY_BUCKETS.to_vec()),
                    &["method", "route"],
                ),
            ),
            login_failures: register(
                &registry,
                IntCounter::new(
                    "api_login_failures_total",
                    "Logins refused for a wrong username or password.",
                ),
            ),
            rate_limited: register(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "api_rate_limit_rejections_total",
                        "Requests refused with 429 for being over a limit, by route template.",
                    ),
                    &["route"],
                ),
            ),
        };
        let db = DbMetrics {
            connections: register(
                &registry,
                IntGaugeVec::new(
                    Opts::new(
                        "api_db_pool_connections",
                        "Open database connections, in use or idle.",
                    ),
                    &["state"],
                ),
            ),
            max_connections: register(
                &registry,
                IntGauge::new(
                    "api_db_pool_max_connections",
                    "Most database connections the pool opens (DATABASE_POOL_SIZE).",
                ),
            ),
            wait: register(
                &registry,
                Histogram::with_opts(
                    HistogramOpts::new(
                        "api_db_pool_wait_seconds",
                        "Time to get a database connection from the pool.",
                    )
                    .buckets(WAIT_BUCKETS.to_vec()),
                ),
            ),
            timeouts: register(
                &registry,
                IntCounter::new(
                    "api_db_pool_timeouts_total",
                    "Requests that got no database connection: they waited DATABASE_TIMEOUT_SECS \
                     in vain, or were answered at once while the database refuses connections.",
                ),
            ),
        };
        let scheduler = SchedulerMetrics {
            jobs: register(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "api_scheduler_jobs_total",
                        "Scheduled game jobs this instance ran, by job and outcome.",
                    ),
                    &["job", "outcome"],
                ),
            ),
        };
        // Every job's series from the start, at zero: a rate or an alert on failures then works
        // before the first failure.
        for job in ScheduledJob::ALL {
            for succeeded in [true, false] {
                scheduler.series(job, succeeded);
            }
        }
        let market = MarketMetrics {
            cache: register(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "api_market_cache_lookups_total",
                        "Market data lookups, by cache (quotes, profiles, closes) and result: hit, merged (joined one in flight) or miss.",
                    ),
                    &["cache", "result"],
                ),
            ),
            finnhub: register(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "api_finnhub_requests_total",
                        "HTTP requests to Finnhub, by endpoint and outcome (status code, timeout or error).",
                    ),
                    &["endpoint", "outcome"],
                ),
            ),
        };
        Self {
            registry,
            requests,
            db,
            scheduler,
            market,
        }
    }

    /// The text exposition of every metric, with the pool's sizes as of now.
    pub fn render(&self, pool: &DbPool) -> Vec<u8> {
        self.db.refresh(pool);
        shared::metrics::render(&self.registry)
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl DbMetrics {
    fn refresh(&self, pool: &DbPool) {
        let state = pool.state();
        self.connections
            .with_label_values(&["idle"])
            .set(i64::from(state.idle));
        self.connections
            .with_label_values(&["in_use"])
            .set(i64::from(state.open - state.idle));
        self.max_connections.set(i64::from(state.max));
    }
}

/// The pool reports every checkout (and its wait) and every failure to get one here.
impl PoolEvents for DbMetrics {
    fn checked_out(&self, waited: Duration) {
        self.wait.observe(waited.as_secs_f64());
    }

    fn gave_up(&self, waited: Duration) {
        self.wait.observe(waited.as_secs_f64());
        self.timeouts.inc();
    }
}

impl std::fmt::Debug for DbMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbMetrics")
    }
}

/// One cache's lookup counters, registered once so that a lookup only bumps a counter.
#[derive(Clone)]
pub struct CacheCounters {
    pub hit: IntCounter,
    pub merged: IntCounter,
    pub miss: IntCounter,
}

impl MarketMetrics {
    pub fn cache(&self, name: &str) -> CacheCounters {
        let counter = |result| self.cache.with_label_values(&[name, result]);
        CacheCounters {
            hit: counter("hit"),
            merged: counter("merged"),
            miss: counter("miss"),
        }
    }
}

/// A scheduled job's name on the metric.
#[derive(Debug, Clone, Copy)]
pub enum ScheduledJob {
    RecordStartPrices,
    CloseWeek,
    RecordCloses,
}

impl ScheduledJob {
    const ALL: [Self; 3] = [Self::RecordStartPrices, Self::CloseWeek, Self::RecordCloses];

    fn name(self) -> &'static str {
        match self {
            Self::RecordStartPrices => "record_start_prices",
            Self::CloseWeek => "close_week",
            Self::RecordCloses => "record_closes",
        }
    }
}

impl SchedulerMetrics {
    pub fn ran(&self, job: ScheduledJob, succeeded: bool) {
        self.series(job, succeeded).inc();
    }

    fn series(&self, job: ScheduledJob, succeeded: bool) -> IntCounter {
        let outcome = if succeeded { "ok" } else { "failed" };
        self.jobs.with_label_values(&[job.name(), outcome])
    }
}
