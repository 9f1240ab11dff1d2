//! The migrations embedded in the binary, and applying them when the database is ready; then
//! the one data step SQL cannot do, filling usernames' confusable skeletons.

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
        let mut conn = self.get()?;
        if let DbConn::Postgres(pg) = &mut conn {
            pg.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_ID})"))
                .map_err(|err| DbError::Migration(err.into()))?;
        }
        let applied = apply(&mut conn);
        if let DbConn::Postgres(pg) = &mut conn {
            let unlocked =
                pg.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_ID})"));
            let applied = applied?;
            unlocked.map_err(|err| DbError::Migration(err.into()))?;
            return Ok(applied);
        }
        applied
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
                Err(err) if err.is_unavailable() && Instant::now() < deadline => {
                    log::warn!("database not reachable yet ({err}); retrying");
                    std::thread::sleep(Duration::from_secs(1));
                }
                Err(err) => return Err(err),
            }
        }
    }
}

/// Fills `users.username_skeleton` where it is missing (rows from before the column, or
/// written by a tool that does not know it), oldest account first. A row whose skeleton an
/// older account already has is left without one and reported: it keeps working, and only
/// reserves nothing. Each row is its own statement, so one collision does not undo the rest.
/// The pending migrations of the connection's backend, then the skeletons; the names applied.
fn apply(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    let applied = match conn {
        DbConn::Postgres(pg) => pg.run_pending_migrations(PG_MIGRATIONS).map(names),
        DbConn::Sqlite(sqlite) => sqlite.run_pending_migrations(SQLITE_MIGRATIONS).map(names),
    }
    .map_err(DbError::Migration)?;
    fill_username_skeletons(conn)?;
    Ok(applied)
}

fn fill_username_skeletons(conn: &mut DbConn) -> Result<(), DbError> {
    use super::schema::users::dsl::*;
    use diesel::prelude::*;
    use diesel::result::{DatabaseErrorKind, Error};

    let missing: Vec<(i64, String, String)> = crate::with_conn!(conn, |c| users
        .filter(username_skeleton.is_null())
        .order(id)
        .select((id, username, username_key))
        .load(c))?;
    for (row, name, key) in missing {
        let skeleton = crate::domain::username::skeleton_of_key(&key);
        let filled = crate::with_conn!(conn, |c| diesel::update(users.find(row))
            .set(username_skeleton.eq(&skeleton))
            .execute(c));
        match filled {
            Ok(_) => {}
            Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => log::warn!(
                "user {row} ({name:?}) looks the same as an older account's name; it keeps \
                 working, but rename it so that its name is unique by how it looks"
            ),
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}

fn names(versions: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    versions.into_iter().map(|v| v.to_string()).collect()
}
