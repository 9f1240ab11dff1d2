//! The connection pool over either backend, and the one way async code runs database work.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{CustomizeConnection, HandleEvent, NopEventHandler, Pool, PooledConnection};
use diesel::result::QueryResult;
use diesel::{PgConnection, SqliteConnection};
use shared::request::RequestContext;

use super::liveness::{Manager, Tracked};
use super::{DatabaseUrl, DbError};

type PgPool = Pool<Manager<PgConnection>>;
type SqlitePool = Pool<Manager<SqliteConnection>>;

/// Pool sizing and timeouts.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    /// How long a request waits for a free (or new) connection before giving up with 503.
    pub acquire_timeout: Duration,
}

/// A pool of connections to whichever backend `DATABASE_URL` named. Cheap to clone.
#[derive(Clone)]
pub enum DbPool {
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

    /// Runs `work` in a transaction meant to write: committed when it returns `Ok`, rolled back
    /// otherwise. On SQLite it is `BEGIN IMMEDIATE`, which takes the write lock up front: a
    /// deferred transaction that reads and then writes can fail at once with "database is
    /// locked" instead of waiting out the busy timeout.
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
        let outcome = work(self);
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
        Self::observed(url, options, NopEventHandler)
    }

    /// [`DbPool::new`], reporting every checkout (with its wait) and timeout to `events`.
    pub fn observed(
        url: &DatabaseUrl,
        options: &PoolOptions,
        events: impl HandleEvent + 'static,
    ) -> Result<Self, DbError> {
        match url {
            DatabaseUrl::Postgres(url) => {
                let manager = Manager::<PgConnection>::new(with_connect_timeout(url));
                Ok(Self::Postgres(
                    Pool::builder()
                        // Asks the liveness rule, which tests only idle connections.
                        .test_on_check_out(true)
                        .max_size(options.max_size)
                        .min_idle(Some(0))
                        .connection_timeout(options.acquire_timeout)
                        .event_handler(Box::new(events))
                        .build_unchecked(manager),
                ))
            }
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| DbError::Setup {
                        dir: dir.to_owned(),
                        source,
                    })?;
                }
                let manager = Manager::<SqliteConnection>::new(path.to_string_lossy());
                Ok(Self::Sqlite(
                    Pool::builder()
                        // Asks the liveness rule, which tests only idle connections.
                        .test_on_check_out(true)
                        .max_size(options.max_size)
                        .min_idle(Some(0))
                        .connection_timeout(options.acquire_timeout)
                        .connection_customizer(Box::new(SqlitePragmas))
                        .event_handler(Box::new(events))
                        .build_unchecked(manager),
                ))
            }
        }
    }

    pub fn state(&self) -> PoolState {
        let (state, max) = match self {
            Self::Postgres(pool) => (pool.state(), pool.max_size()),
            Self::Sqlite(pool) => (pool.state(), pool.max_size()),
        };
        PoolState {
            open: state.connections,
            idle: state.idle_connections,
            max,
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "postgres",
            Self::Sqlite(_) => "sqlite",
        }
    }

    /// A connection for synchronous callers (the commands, migrations); async code uses
    /// [`DbPool::run`].
    pub fn get(&self) -> Result<DbConn, DbError> {
        Ok(match self {
            Self::Postgres(pool) => DbConn::Postgres(pool.get()?),
            Self::Sqlite(pool) => DbConn::Sqlite(pool.get()?),
        })
    }

    /// Runs blocking `work` with a checked-out connection on the blocking thread pool, never on
    /// the async executor, and returns its own result. Failing to get a connection (or the work
    /// panicking) becomes `work`'s error type through `From<DbError>`.
    pub async fn run<T, E>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        self.run_checked_out(None, work).await
    }

    /// [`DbPool::run`] waiting at most `wait` for a connection, for callers (the health check)
    /// that must answer quickly.
    pub async fn run_within<T, E>(
        &self,
        wait: Duration,
        work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        self.run_checked_out(Some(wait), work).await
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
        wait: Option<Duration>,
        work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.clone();
        // The work's log lines belong to the request that asked for it.
        let context = RequestContext::current();
        tokio::task::spawn_blocking(move || {
            let run = move || {
                let mut conn = match wait {
                    Some(wait) => pool.get_within(wait)?,
                    None => pool.get()?,
                };
                let outcome = work(&mut conn);
                if outcome.is_err() {
                    conn.test_after_failure();
                }
                outcome
            };
            match context {
                Some(context) => context.sync_scope(run),
                None => run(),
            }
        })
        .await
        .map_err(|interrupted| E::from(DbError::from(interrupted)))?
    }

    fn get_within(&self, wait: Duration) -> Result<DbConn, DbError> {
        Ok(match self {
            Self::Postgres(pool) => DbConn::Postgres(pool.get_timeout(wait)?),
            Self::Sqlite(pool) => DbConn::Sqlite(pool.get_timeout(wait)?),
        })
    }
}

/// Adds a libpq `connect_timeout` unless the URL sets one: without it a connection attempt to
/// an unreachable host hangs for minutes and takes a pool slot with it.
pub(crate) fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout=5")
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
