//! `api backup --output FILE`: a consistent copy of a live SQLite database while the api keeps
//! serving, by SQLite's `VACUUM INTO`, which reads the whole database in one read transaction
//! (in WAL mode, writers go on meanwhile) and writes a compact copy; the copy is then checked
//! with `PRAGMA integrity_check`. PostgreSQL has `pg_dump` for this, and the command says so.

use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};

use crate::cli::DatabaseOptions;
use crate::db::DatabaseUrl;
use crate::settings;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database is PostgreSQL: its own tool does this (exit code 2).
    #[error(
        "DATABASE_URL is PostgreSQL: back it up with pg_dump, e.g. \
         `pg_dump --format=custom --file=backup.dump \"$DATABASE_URL\"`, and restore with \
         `pg_restore --clean --if-exists --dbname=\"$DATABASE_URL\" backup.dump`"
    )]
    NotSqlite,
    #[error("{0}")]
    Setup(String),
    #[error("{0} exists already; give a new file")]
    Exists(PathBuf),
    #[error("{} is not a database file", .0.display())]
    Missing(PathBuf),
    #[error("backing up failed: {0}")]
    Copy(#[from] diesel::result::Error),
    #[error("cannot open the database: {0}")]
    Open(#[from] diesel::ConnectionError),
    #[error("the copy does not pass SQLite's integrity check: {0}")]
    Corrupt(String),
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// Copies the configured SQLite database to `output`; returns the copy's size in bytes.
pub fn run(database: &DatabaseOptions, output: &Path) -> Result<u64, BackupError> {
    let url =
        settings::database_url(database).map_err(|err| BackupError::Setup(err.to_string()))?;
    let DatabaseUrl::Sqlite(path) = url else {
        return Err(BackupError::NotSqlite);
    };
    if !path.is_file() {
        return Err(BackupError::Missing(path));
    }
    if output.exists() {
        return Err(BackupError::Exists(output.to_owned()));
    }
    let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
    conn.batch_execute("PRAGMA busy_timeout = 5000")?;
    let target = output.to_string_lossy().replace('\'', "''");
    conn.batch_execute(&format!("VACUUM INTO '{target}'"))?;
    let mut copy = SqliteConnection::establish(&output.to_string_lossy())?;
    let check: Check = diesel::sql_query("PRAGMA integrity_check").get_result(&mut copy)?;
    if check.integrity_check != "ok" {
        return Err(BackupError::Corrupt(check.integrity_check));
    }
    Ok(std::fs::metadata(output)
        .map(|meta| meta.len())
        .unwrap_or(0))
}
