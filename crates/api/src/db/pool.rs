//! The connection pool over either backend, and the migrations embedded in the binary.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DatabaseUrl;

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Arbitrary constant naming the PostgreSQL advisory lock that serialises migrations, so several
/// replicas starting at once do not race to create the same tables.
const MIGRATION_LOCK_ID: i64 = 0x6661_7474_6f72_6501;

type PgPool = Pool<ConnectionManager<PgConnection>>;
type SqlitePool = Pool<ConnectionManager<SqliteConnection>>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database unavailable: {0}")]
    Unavailable(#[from] diesel::r2d2::PoolError),
    #[error("could not prepare the database: {0}")]
    Setup(String),
    #[error("migration failed: {0}")]
    Migration(String),
}

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
    Postgres(PooledConnection<ConnectionManager<PgConnection>>),
    Sqlite(PooledConnection<ConnectionManager<SqliteConnection>>),
}

impl DbConn {
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
            Self::Postgres(conn) => AnsiTransactionManager::begin_transaction(&mut **conn)?,
            Self::Sqlite(conn) => {
                AnsiTransactionManager::begin_transaction_sql(&mut **conn, "BEGIN IMMEDIATE")?
            }
        }
        let outcome = work(self);
        let finished = match (&outcome, &mut *self) {
            (Ok(_), Self::Postgres(conn)) => {
                AnsiTransactionManager::commit_transaction(&mut **conn)
            }
            (Ok(_), Self::Sqlite(conn)) => AnsiTransactionManager::commit_transaction(&mut **conn),
            (Err(_), Self::Postgres(conn)) => {
                AnsiTransactionManager::rollback_transaction(&mut **conn)
            }
            (Err(_), Self::Sqlite(conn)) => {
                AnsiTransactionManager::rollback_transaction(&mut **conn)
            }
        };
        match (outcome, finished) {
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(err)) => Err(err.into()),
            (Err(err), _) => Err(err),
        }
    }
}

impl DbPool {
    /// Builds the pool without connecting; connections are opened on demand, so a server can
    /// start (and report 503 on health) while its database is still coming up.
    pub fn new(url: &DatabaseUrl, options: &PoolOptions) -> Result<Self, DbError> {
        match url {
            DatabaseUrl::Postgres(url) => {
                let manager = ConnectionManager::<PgConnection>::new(with_connect_timeout(url));
                Ok(Self::Postgres(
                    Pool::builder()
                        .max_size(options.max_size)
                        .min_idle(Some(0))
                        .connection_timeout(options.acquire_timeout)
                        .build_unchecked(manager),
                ))
            }
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|err| {
                        DbError::Setup(format!("cannot create {}: {err}", dir.display()))
                    })?;
                }
                let manager = ConnectionManager::<SqliteConnection>::new(path.to_string_lossy());
                Ok(Self::Sqlite(
                    Pool::builder()
                        .max_size(options.max_size)
                        .min_idle(Some(0))
                        .connection_timeout(options.acquire_timeout)
                        .connection_customizer(Box::new(SqlitePragmas))
                        .build_unchecked(manager),
                ))
            }
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "postgres",
            Self::Sqlite(_) => "sqlite",
        }
    }

    pub fn get(&self) -> Result<DbConn, DbError> {
        Ok(match self {
            Self::Postgres(pool) => DbConn::Postgres(pool.get()?),
            Self::Sqlite(pool) => DbConn::Sqlite(pool.get()?),
        })
    }

    /// A connection within `timeout`, for callers (the health check) that must answer quickly.
    pub fn get_within(&self, timeout: Duration) -> Result<DbConn, DbError> {
        Ok(match self {
            Self::Postgres(pool) => DbConn::Postgres(pool.get_timeout(timeout)?),
            Self::Sqlite(pool) => DbConn::Sqlite(pool.get_timeout(timeout)?),
        })
    }

    /// Applies every pending migration and returns the names of those it applied.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        let migration_error =
            |err: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(err.to_string());
        match self.get()? {
            DbConn::Postgres(mut conn) => {
                conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_ID})"))
                    .map_err(|err| DbError::Migration(err.to_string()))?;
                let applied = conn.run_pending_migrations(PG_MIGRATIONS).map(names);
                let unlocked =
                    conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_ID})"));
                let applied = applied.map_err(migration_error)?;
                unlocked.map_err(|err| DbError::Migration(err.to_string()))?;
                Ok(applied)
            }
            DbConn::Sqlite(mut conn) => conn
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(names)
                .map_err(migration_error),
        }
    }
}

fn names(versions: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    versions.into_iter().map(|v| v.to_string()).collect()
}

/// Adds a libpq `connect_timeout` unless the URL sets one: without it a connection attempt to
/// an unreachable host hangs for minutes and takes a pool slot with it.
fn with_connect_timeout(url: &str) -> String {
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

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}
