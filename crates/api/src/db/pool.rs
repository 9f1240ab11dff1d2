//! The connection pool over either backend, and the one way async code runs database work.
//!
//! Every wait is bounded: for a connection by the pool's wait and its circuit breaker
//! ([`super::breaker`]), for an answer by the async side's watch ([`super::deadline`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{CustomizeConnection, Pool, PoolError, PooledConnection};
use diesel::result::QueryResult;
use diesel::{PgConnection, SqliteConnection};
use shared::request::RequestContext;

use super::breaker::Breaker;
use super::deadline::{self, Watch};
use super::liveness::{Manager, Tracked};
use super::{DatabaseUrl, DbError};

type PgPool = Pool<Manager<PgConnection>>;
type SqlitePool = Pool<Manager<SqliteConnection>>;

/// Pool sizing and timeouts.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    /// How long a request waits for a free (or new) connection before giving up with 503, and
    /// (from async code) for any one statement's answer.
    pub acquire_timeout: Duration,
    /// PostgreSQL's `statement_timeout` for every connection, so that the server ends a
    /// statement nobody waits for any more and its connection comes back; `None` for the
    /// commands, whose long statements have no one else to wait for them.
    pub statement_timeout: Option<Duration>,
}

/// What the pool reports about checkouts (the server's metrics).
pub trait PoolEvents: Send + Sync + 'static {
    /// A connection was handed out after `waited`.
    fn checked_out(&self, waited: Duration);
    /// No connection could be had: the wait ran out, or the breaker answered at once.
    fn gave_up(&self, waited: Duration);
}

struct Unobserved;

impl PoolEvents for Unobserved {
    fn checked_out(&self, _: Duration) {}
    fn gave_up(&self, _: Duration) {}
}

/// r2d2 retries a failed connection in the background with a doubling delay of at most half its
/// `connection_timeout`, which is used for nothing else here (every checkout names its own
/// wait): this caps that delay, so the pool reconnects within about a second of the database's
/// return even when no request is there to start an attempt.
const RETRY_CAP: Duration = Duration::from_secs(1);

/// How often a request waiting for a connection looks at the breaker: r2d2's own wait cannot
/// be told that an attempt was refused meanwhile.
const WAIT_SLICE: Duration = Duration::from_millis(100);

/// What r2d2 says when a wait ran out and it knows no reason.
const UNEXPLAINED_TIMEOUT: &str = "timed out waiting for connection";

/// A pool of connections to whichever backend `DATABASE_URL` named. Cheap to clone.
#[derive(Clone)]
pub struct DbPool {
    backend: Backend,
    breaker: Arc<Breaker>,
    events: Arc<dyn PoolEvents>,
    wait: Duration,
}

#[derive(Clone)]
enum Backend {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// One checked-out connection; see [`with_conn!`](crate::with_conn).
pub enum DbConn {
    Postgres(PooledConnection<Manager<PgConnection>>),
    Sqlite(PooledConnection<Manager<SqliteConnection>>),
}

impl DbConn {
    fn test_after_failure(&mut self) {
        match self {
            Self::Postgres(conn) => conn.test_after_failure(),
            Self::Sqlite(conn) => conn.test_after_failure(),
        }
    }

    fn watch(&self, watch: Arc<Watch>) {
        match self {
            Self::Postgres(conn) => conn.watch(watch),
            Self::Sqlite(conn) => conn.watch(watch),
        }
    }

    fn unwatch(&self) {
        match self {
            Self::Postgres(conn) => conn.unwatch(),
            Self::Sqlite(conn) => conn.unwatch(),
        }
    }

    /// Whether the caller stopped waiting for the work on this connection.
    fn abandoned(&self) -> bool {
        match self {
            Self::Postgres(conn) => conn.abandoned(),
            Self::Sqlite(conn) => conn.abandoned(),
        }
    }

    /// Runs `work` in a transaction meant to write: committed when it returns `Ok`, rolled back
    /// otherwise. On SQLite it is `BEGIN IMMEDIATE`, which takes the write lock up front: a
    /// deferred transaction that reads and then writes can fail at once with "database is
    /// locked" instead of waiting out the busy timeout. Work whose caller gave up on it (it
    /// was answered 503) is rolled back even when it succeeded.
    pub fn write_transaction<T, E>(
        &mut self,
        work: impl FnOnce(&mut DbConn) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        match self {
            Self::Postgres(conn) => AnsiTransactionManager::begin_transaction(&mut ***conn)?,
            Self::Sqlite(conn) => {
                AnsiTransactionManager::begin_transaction_sql(&mut ***conn, "BEGIN IMMEDIATE")?
            }
        }
        let mut outcome = work(self);
        if outcome.is_ok() && self.abandoned() {
            log::warn!("rolled back a write whose request was answered before it finished");
            outcome = Err(diesel::result::Error::RollbackTransaction.into());
        }
        let finished = match (&outcome, &mut *self) {
            (Ok(_), Self::Postgres(conn)) => {
                AnsiTransactionManager::commit_transaction(&mut ***conn)
            }
            (Ok(_), Self::Sqlite(conn)) => AnsiTransactionManager::commit_transaction(&mut ***conn),
            (Err(_), Self::Postgres(conn)) => {
                AnsiTransactionManager::rollback_transaction(&mut ***conn)
            }
            (Err(_), Self::Sqlite(conn)) => {
                AnsiTransactionManager::rollback_transaction(&mut ***conn)
            }
        };
        match (outcome, finished) {
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(err)) => Err(err.into()),
            (Err(err), _) => Err(err),
        }
    }
}

/// How many connections a pool holds now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

impl DbPool {
    /// Builds the pool without connecting; connections are opened on demand, so a server can
    /// start (and report 503 on health) while its database is still coming up.
    pub fn new(url: &DatabaseUrl, options: &PoolOptions) -> Result<Self, DbError> {
        Self::observed(url, options, Arc::new(Unobserved))
    }

    /// [`DbPool::new`], reporting every checkout (with its wait) and every failure to get one
    /// to `events`.
    pub fn observed(
        url: &DatabaseUrl,
        options: &PoolOptions,
        events: Arc<dyn PoolEvents>,
    ) -> Result<Self, DbError> {
        let breaker = Arc::new(Breaker::default());
        let backend = match url {
            DatabaseUrl::Postgres(url) => {
                let manager =
                    Manager::<PgConnection>::new(with_client_defaults(url), breaker.clone());
                Backend::Postgres(
                    Pool::builder()
                        // Asks the liveness rule, which tests only idle connections.
                        .test_on_check_out(true)
                        .max_size(options.max_size)
                        .min_idle(Some(0))
                        .connection_timeout(RETRY_CAP * 2)
                        .connection_customizer(Box::new(PgSession {
                            statement_timeout: options.statement_timeout,
                        }))
                        .build_unchecked(manager),
                )
            }
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| DbError::Setup {
                        dir: dir.to_owned(),
                        source,
                    })?;
                }
                let manager =
                    Manager::<SqliteConnection>::new(path.to_string_lossy(), breaker.clone());
                Backend::Sqlite(
                    Pool::builder()
                        // Asks the liveness rule, which tests only idle connections.
                        .test_on_check_out(true)
                        .max_size(options.max_size)
                        .min_idle(Some(0))
                        .connection_timeout(RETRY_CAP * 2)
                        .connection_customizer(Box::new(SqlitePragmas))
                        .build_unchecked(manager),
                )
            }
        };
        Ok(Self {
            backend,
            breaker,
            events,
            wait: options.acquire_timeout,
        })
    }

    pub fn state(&self) -> PoolState {
        let (state, max) = match &self.backend {
            Backend::Postgres(pool) => (pool.state(), pool.max_size()),
            Backend::Sqlite(pool) => (pool.state(), pool.max_size()),
        };
        PoolState {
            open: state.connections,
            idle: state.idle_connections,
            max,
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Postgres(_) => "postgres",
            Backend::Sqlite(_) => "sqlite",
        }
    }

    /// A connection for synchronous callers (the commands, migrations); async code uses
    /// [`DbPool::run`].
    pub fn get(&self) -> Result<DbConn, DbError> {
        self.checkout(self.wait)
    }

    /// Runs blocking `work` with a checked-out connection on the blocking thread pool, never on
    /// the async executor, and returns its own result. Failing to get a connection, a wait on
    /// the database that lasts the pool's wait, or the work panicking becomes `work`'s error
    /// type through `From<DbError>`.
    pub async fn run<T, E>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        self.run_checked_out(self.wait, work).await
    }

    /// [`DbPool::run`] waiting at most `wait` (for a connection, and for each answer), for
    /// callers (the health check) that must answer quickly.
    pub async fn run_within<T, E>(
        &self,
        wait: Duration,
        work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        self.run_checked_out(wait, work).await
    }

    /// [`DbPool::run`] for work whose only failure is the database's own (one model call, or
    /// a transaction of them).
    pub async fn query<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConn) -> QueryResult<T> + Send + 'static,
    ) -> Result<T, DbError> {
        self.run(move |conn| Ok(work(conn)?)).await
    }

    async fn run_checked_out<T, E>(
        &self,
        wait: Duration,
        work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.clone();
        // The work's log lines belong to the request that asked for it.
        let context = RequestContext::current();
        let watch = Watch::waiting();
        let watched = watch.clone();
        let handle = tokio::task::spawn_blocking(move || {
            let run = move || {
                let mut conn = pool.checkout(wait)?;
                watched.stop_waiting();
                conn.watch(watched);
                let outcome = work(&mut conn);
                conn.unwatch();
                if outcome.is_err() {
                    conn.test_after_failure();
                }
                outcome
            };
            match context {
                Some(context) => context.sync_scope(run),
                None => run(),
            }
        });
        deadline::within(handle, &watch, wait).await
    }

    /// A connection within `wait`, or at once the breaker's answer while the database refuses
    /// connections and another request is already probing (an idle connection is still handed
    /// out then).
    fn checkout(&self, wait: Duration) -> Result<DbConn, DbError> {
        let started = Instant::now();
        let outcome = match self.breaker.admit(wait) {
            Ok(admitted) => self.checkout_until(started, started + admitted.wait),
            Err(refused) => self.idle().ok_or(refused),
        };
        match &outcome {
            Ok(_) => self.events.checked_out(started.elapsed()),
            Err(_) => self.events.gave_up(started.elapsed()),
        }
        outcome
    }

    fn checkout_until(&self, started: Instant, deadline: Instant) -> Result<DbConn, DbError> {
        // r2d2 hands its last failure (a session setting that failed, say) to one timed-out
        // wait only, and the wait here is in slices: an earlier slice's explained error is kept
        // over a later one that only says it timed out.
        let mut last: Option<PoolError> = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let attempt = match &self.backend {
                Backend::Postgres(pool) => {
                    pool.get_timeout(left.min(WAIT_SLICE)).map(DbConn::Postgres)
                }
                Backend::Sqlite(pool) => pool.get_timeout(left.min(WAIT_SLICE)).map(DbConn::Sqlite),
            };
            let err = match attempt {
                Ok(conn) => return Ok(conn),
                Err(err) => match last.take() {
                    Some(earlier) if err.to_string() == UNEXPLAINED_TIMEOUT => earlier,
                    _ => err,
                },
            };
            if let Some(refused) = self.breaker.refused_since(started) {
                return Err(refused);
            }
            if Instant::now() >= deadline {
                return Err(err.into());
            }
            last = Some(err);
        }
    }

    fn idle(&self) -> Option<DbConn> {
        match &self.backend {
            Backend::Postgres(pool) => pool.try_get().map(DbConn::Postgres),
            Backend::Sqlite(pool) => pool.try_get().map(DbConn::Sqlite),
        }
    }
}

/// libpq's settings for a connection that may lose its server without a word (a crash, a
/// partition, a failover), each added unless the URL sets it:
///
/// - `connect_timeout=5`: otherwise an attempt to an unreachable host hangs for minutes and
///   takes a pool slot with it;
/// - `keepalives_idle=10`, `keepalives_interval=5`, `keepalives_count=3`: an idle connection
///   to a host that is gone is found dead within about 25 s instead of the system's two hours;
/// - `tcp_user_timeout=10000`: a connection whose sent bytes go unacknowledged for 10 s (the
///   host or the path is gone while a statement waits) is closed, so libpq returns an error,
///   the connection is retired, and its slot comes back. A live but slow server acknowledges
///   at once, so this never cuts a long statement; that is `statement_timeout`'s job.
///
/// A server whose processes are stopped while its host stays up (SIGSTOP) is not found by
/// any of these: its kernel acknowledges everything. Requests still get their answer in time
/// from the async side's watch; the blocking threads and connections stuck in such a wait come
/// back when the server resumes or dies.
pub(crate) fn with_client_defaults(url: &str) -> String {
    const DEFAULTS: [(&str, &str); 5] = [
        ("connect_timeout", "5"),
        ("keepalives_idle", "10"),
        ("keepalives_interval", "5"),
        ("keepalives_count", "3"),
        ("tcp_user_timeout", "10000"),
    ];
    let mut url = url.to_owned();
    for (name, value) in DEFAULTS {
        let set = url
            .split(['?', '&'])
            .skip(1)
            .any(|pair| pair.split('=').next() == Some(name));
        if !set {
            let separator = if url.contains('?') { '&' } else { '?' };
            url = format!("{url}{separator}{name}={value}");
        }
    }
    url
}

/// Per-connection PostgreSQL settings.
#[derive(Debug)]
struct PgSession {
    statement_timeout: Option<Duration>,
}

impl CustomizeConnection<Tracked<PgConnection>, diesel::r2d2::Error> for PgSession {
    fn on_acquire(&self, conn: &mut Tracked<PgConnection>) -> Result<(), diesel::r2d2::Error> {
        match self.statement_timeout {
            Some(limit) => conn
                .batch_execute(&format!("SET statement_timeout = {}", limit.as_millis()))
                .map_err(diesel::r2d2::Error::QueryError),
            None => Ok(()),
        }
    }
}

/// Per-connection SQLite settings. They are connection state, not database state, so they are
/// applied to every new connection.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<Tracked<SqliteConnection>, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut Tracked<SqliteConnection>) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

#[cfg(test)]
mod tests {
    use super::with_client_defaults;

    #[test]
    fn client_defaults_fill_in_only_what_the_url_leaves_out() {
        assert_eq!(
            with_client_defaults("postgres://u@h/db"),
            "postgres://u@h/db?connect_timeout=5&keepalives_idle=10&keepalives_interval=5\
             &keepalives_count=3&tcp_user_timeout=10000"
        );
        assert_eq!(
            with_client_defaults(
                "postgres://u@h/db?sslmode=require&connect_timeout=2&tcp_user_timeout=0"
            ),
            "postgres://u@h/db?sslmode=require&connect_timeout=2&tcp_user_timeout=0\
             &keepalives_idle=10&keepalives_interval=5&keepalives_count=3"
        );
    }
}
