//! The migrations embedded in the binary, and applying them when the database is ready.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{DbConn, DbError, DbPool};

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Arbitrary constant naming the PostgreSQL advisory lock that serialises migrations, so several
/// replicas starting at once do not race to create the same tables.
const MIGRATION_LOCK_ID: i64 = 0x6661_7474_6f72_6501;

impl DbPool {
    /// Applies every pending migration and returns the names of those it applied.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        match self.get()? {
            DbConn::Postgres(mut conn) => {
                conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_ID})"))
                    .map_err(|err| DbError::Migration(err.into()))?;
                let applied = conn.run_pending_migrations(PG_MIGRATIONS).map(names);
                let unlocked =
                    conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_ID})"));
                let applied = applied.map_err(DbError::Migration)?;
                unlocked.map_err(|err| DbError::Migration(err.into()))?;
                Ok(applied)
            }
            DbConn::Sqlite(mut conn) => conn
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(names)
                .map_err(DbError::Migration),
        }
    }

    /// Applies migrations, retrying while the database is unreachable (containers often start
    /// before their database accepts connections).
    pub fn migrate_when_ready(&self, wait: Duration) -> Result<(), DbError> {
        let deadline = Instant::now() + wait;
        loop {
            match self.migrate() {
                Ok(applied) => {
                    for name in applied {
                        log::info!("applied migration {name}");
                    }
                    return Ok(());
                }
                Err(DbError::Unavailable(err)) if Instant::now() < deadline => {
                    log::warn!("database not reachable yet ({err}); retrying");
                    std::thread::sleep(Duration::from_secs(1));
                }
                Err(err) => return Err(err),
            }
        }
    }
}

fn names(versions: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    versions.into_iter().map(|v| v.to_string()).collect()
}
