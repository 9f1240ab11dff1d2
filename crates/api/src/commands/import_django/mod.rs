//! `api import-django`: moves a Django installation of the old app in (its users with their
//! password hashes, their holdings and the Wall Street history) in one transaction, safe to
//! repeat.
//!
//! One module per step: `read` gets the Django rows (`rows`) from PostgreSQL, SQLite or a
//! dumpdata file; `validate` turns each into our domain values or an invalid row with its
//! reasons; `write` adds what the target lacks, by stable keys; `report` tells what happened.
//! The Django password hashes are checked at login by `auth::django_hashers`.

mod error;
mod read;
mod report;
mod rows;
mod validate;
mod write;

pub use error::ImportError;

use chrono::Utc;

use crate::cli::{DatabaseOptions, GameOptions};
use crate::settings;
use read::Source;
use report::Report;

/// How the import treats the target and invalid rows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mode {
    /// Report and write nothing.
    pub dry_run: bool,
    /// Import the valid rows; otherwise any invalid row stops the whole import.
    pub skip_invalid: bool,
}

/// Reads `source`, checks every row and writes what fits into the configured database
/// (migrated first), then prints the report. Invalid rows without `--skip-invalid` are an
/// error, after the report.
pub fn run(
    database: &DatabaseOptions,
    game: &GameOptions,
    source: &str,
    mode: Mode,
) -> Result<(), ImportError> {
    let source: Source = source.parse()?;
    let target =
        settings::database_url(database).map_err(|err| ImportError::Setup(err.to_string()))?;
    let calendar = settings::calendar(game).map_err(|err| ImportError::Setup(err.to_string()))?;
    let rows = read::read(&source)?;
    let mut report = Report::new(source.to_string(), target.to_string(), mode);
    for table in rows::Table::ALL {
        report.counts(table).read = rows.count(table);
    }
    report.missing = rows.missing();
    let now = Utc::now();
    let plan = validate::plan(rows, &calendar, now);
    report.invalid.extend(plan.invalid.iter().cloned());
    let pool = super::migrated_pool(database).map_err(ImportError::Setup)?;
    write::write(&pool, plan, now.naive_utc(), &mut report)?;
    print!("{report}");
    if report.aborted() {
        return Err(ImportError::Aborted(report.invalid.len()));
    }
    Ok(())
}
