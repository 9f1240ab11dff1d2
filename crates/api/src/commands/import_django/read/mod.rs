//! Reading a Django installation: its database (PostgreSQL or SQLite) or a `manage.py
//! dumpdata` file, into the one in-memory set of rows the rest of the import works on.

mod database;
mod dumpdata;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use super::rows::DjangoRows;
use super::ImportError;
use crate::db::DatabaseUrl;

/// What `--source` names.
#[derive(Debug)]
pub enum Source {
    Database(DatabaseUrl),
    Dump(PathBuf),
}

impl FromStr for Source {
    type Err = ImportError;

    fn from_str(raw: &str) -> Result<Self, ImportError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(ImportError::Source(
                "give postgres://…, sqlite://path or a dumpdata JSON file".into(),
            ));
        }
        if raw.starts_with("postgres") || raw.starts_with("sqlite:") {
            return raw.parse().map(Self::Database).map_err(ImportError::Source);
        }
        if raw.contains("://") {
            return Err(ImportError::Source(
                "expected postgres://…, sqlite://path or a dumpdata JSON file".into(),
            ));
        }
        Ok(Self::Dump(PathBuf::from(raw)))
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Database(url) => url.fmt(f),
            Self::Dump(path) => path.display().fmt(f),
        }
    }
}

pub fn read(source: &Source) -> Result<DjangoRows, ImportError> {
    match source {
        Source::Database(url) => database::read(url),
        Source::Dump(path) => dumpdata::read(path),
    }
}
