//! Why an import could not run. Invalid rows are not errors: they are in the report, and only
//! stop the import (as `Aborted`) when `--skip-invalid` is not given.

use std::path::PathBuf;

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A setting of the target (`DATABASE_URL`, the game calendar) or its migrations.
    #[error("{0}")]
    Setup(String),
    #[error("--source: {0}")]
    Source(String),
    #[error("cannot open the Django database {location}: {cause}")]
    Connect {
        location: String,
        #[source]
        cause: diesel::ConnectionError,
    },
    #[error("the source has no {0} table: is it the Django app's database?")]
    MissingTable(&'static str),
    #[error("reading {table} from the source failed: {cause}")]
    Read {
        table: &'static str,
        #[source]
        cause: diesel::result::Error,
    },
    /// Beginning or ending the source's read-only snapshot.
    #[error("reading the source failed: {0}")]
    Snapshot(#[from] diesel::result::Error),
    #[error("cannot read {}: {cause}", path.display())]
    DumpFile {
        path: PathBuf,
        #[source]
        cause: std::io::Error,
    },
    #[error("{} is not a dumpdata JSON list: {cause}", path.display())]
    DumpJson {
        path: PathBuf,
        #[source]
        cause: serde_json::Error,
    },
    #[error("{}: entry {index} ({model}): {problem}", path.display())]
    DumpEntry {
        path: PathBuf,
        index: usize,
        model: String,
        problem: String,
    },
    #[error(transparent)]
    Target(#[from] DbError),
    #[error("{0} invalid rows, so nothing is imported (--skip-invalid imports the rest)")]
    Aborted(usize),
}
