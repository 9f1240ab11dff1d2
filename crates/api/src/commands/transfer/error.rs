//! Why an export or an import did not happen. Either way nothing was written: an export
//! removes its unfinished file, an import rolls its transaction back.

use std::path::PathBuf;

use super::document::VERSION;
use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// `DATABASE_URL` or the migrations.
    #[error("{0}")]
    Setup(String),
    #[error("{} is not a database file", .0.display())]
    MissingDatabase(PathBuf),
    #[error("{} exists already; give a new file", .0.display())]
    Exists(PathBuf),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not an export document: {source}", path.display())]
    Malformed {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{} is not an export document (its \"format\" is not {:?})", .0.display(), super::document::FORMAT)]
    NotAnExport(PathBuf),
    #[error(
        "{} is version {found} of the export document, written by a newer api; this one reads \
         version {VERSION}: import it with an api of that version or later",
        path.display()
    )]
    NewerVersion { path: PathBuf, found: u64 },
    #[error(
        "{} has export document version {found}, which no api wrote; this one reads version \
         {VERSION}",
        path.display()
    )]
    UnknownVersion { path: PathBuf, found: String },
    #[error("{}: id_counters names {table:?}, which is not a table with ids", path.display())]
    UnknownCounter { path: PathBuf, table: String },
    #[error(
        "the database is not empty ({0}): import only into a new one (a new SQLite file, or a \
         PostgreSQL database made with createdb); nothing was written"
    )]
    NotEmpty(String),
    #[error(transparent)]
    Connection(#[from] DbError),
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
}
