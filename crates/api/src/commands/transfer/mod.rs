//! `api export --output FILE` and `api import --input FILE`: everything the app owns as one
//! versioned JSON document, and back into an empty database of either backend, so an
//! installation moves between SQLite and PostgreSQL (or to a new server) whole.
//!
//! **What moves** is what users made and what took time to gather: accounts with their
//! password hashes (logins keep working), flags, join dates and Django ids; brokerage accounts
//! and their transactions; watch lists and their entries (a list's row says it was started, so
//! the defaults are not added again); the game's weeks (with the scheduler's marks, so a week
//! that is over is never priced again), options and picks; the stored daily closes, the day
//! ranges already fetched and the trading days already recorded.
//!
//! **What does not** is state that is rebuilt by use and would be wrong or useless elsewhere:
//! sessions (everyone logs in again after a move, which also ends every refresh token issued
//! against the old database), failed-login counters and the addresses each account last
//! logged in from (a move starts with no lock-outs; an owner's address is known again after
//! their first login), and the market-data budget's last minute of calls.
//!
//! **Ids are kept**, so every link and client still names the same rows; the id counters move
//! past the source's, so no id, not even a deleted row's, is handed out twice (see
//! [`document::Document::id_counters`]).
//!
//! The export reads one consistent snapshot while the api keeps serving; the import runs in
//! one transaction, refuses a database that holds any owned row, and writes all or nothing.
//! A document is this api's own output: its rows are not checked against the domain's rules
//! again, only parsed (decimals exactly) and held to the database's constraints.

mod document;
mod error;
mod export;
mod import;

pub use error::TransferError;

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use chrono::Utc;

use crate::cli::DatabaseOptions;
use crate::db::DatabaseUrl;
use crate::settings;
use document::{Document, Header, Tables, FORMAT, ID_TABLES, VERSION};

/// How many rows of each table moved, for the command's last line.
#[derive(Debug)]
pub struct Summary(Vec<(&'static str, usize)>);

impl Summary {
    fn of(tables: &Tables) -> Self {
        Self(tables.counts().collect())
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, (table, rows)) in self.0.iter().enumerate() {
            let separator = if index == 0 { "" } else { ", " };
            write!(f, "{separator}{table} {rows}")?;
        }
        Ok(())
    }
}

/// Writes the configured database's owned rows to `output`, a new file (never one that
/// exists) readable by its owner only: it holds every password hash.
pub fn export(database: &DatabaseOptions, output: &Path) -> Result<Summary, TransferError> {
    let url =
        settings::database_url(database).map_err(|err| TransferError::Setup(err.to_string()))?;
    if let DatabaseUrl::Sqlite(path) = &url {
        if !path.is_file() {
            return Err(TransferError::MissingDatabase(path.clone()));
        }
    }
    // Checked again when the file is made; this spares reading the database for nothing.
    if output.exists() {
        return Err(TransferError::Exists(output.to_owned()));
    }
    let pool = super::migrated_pool(database).map_err(TransferError::Setup)?;
    let (tables, id_counters) = export::read(&mut pool.get()?)?;
    let document = Document {
        format: FORMAT.to_owned(),
        version: VERSION,
        exported_at: Utc::now(),
        id_counters,
        tables,
    };
    write_new_file(output, &document)?;
    Ok(Summary::of(&document.tables))
}

/// Loads the document at `input` into the configured database (migrated first), which must
/// hold no owned rows; returns what was loaded, and where.
pub fn import(
    database: &DatabaseOptions,
    input: &Path,
) -> Result<(Summary, DatabaseUrl), TransferError> {
    let document = read_document(input)?;
    let url =
        settings::database_url(database).map_err(|err| TransferError::Setup(err.to_string()))?;
    let pool = super::migrated_pool(database).map_err(TransferError::Setup)?;
    import::write(&mut pool.get()?, &document.tables, &document.id_counters)?;
    Ok((Summary::of(&document.tables), url))
}

fn write_new_file(path: &Path, document: &Document) -> Result<(), TransferError> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => TransferError::Exists(path.to_owned()),
            _ => TransferError::Write {
                path: path.to_owned(),
                source,
            },
        })?;
    let written = (|| {
        let mut out = BufWriter::new(file);
        serde_json::to_writer_pretty(&mut out, document)?;
        out.write_all(b"\n")?;
        out.into_inner().map_err(|err| err.into_error())?.sync_all()
    })();
    written.map_err(|source| {
        // A partial document must not pass for a whole one; the file was ours to remove.
        let _ = std::fs::remove_file(path);
        TransferError::Write {
            path: path.to_owned(),
            source,
        }
    })
}

/// The document at `path`, once its format and version say this api reads it.
fn read_document(path: &Path) -> Result<Document, TransferError> {
    let malformed = |source| TransferError::Malformed {
        path: path.to_owned(),
        source,
    };
    let bytes = std::fs::read(path).map_err(|source| TransferError::Read {
        path: path.to_owned(),
        source,
    })?;
    let header: Header = serde_json::from_slice(&bytes).map_err(malformed)?;
    if header.format.as_deref() != Some(FORMAT) {
        return Err(TransferError::NotAnExport(path.to_owned()));
    }
    match header.version {
        // Version 1 lacks the currencies (base currency, rates): they take their defaults.
        Some(1..=VERSION) => {}
        Some(found) if found > VERSION => {
            return Err(TransferError::NewerVersion {
                path: path.to_owned(),
                found,
            })
        }
        found => {
            return Err(TransferError::UnknownVersion {
                path: path.to_owned(),
                found: found.map_or_else(|| "(none)".to_owned(), |v| v.to_string()),
            })
        }
    }
    let document: Document = serde_json::from_slice(&bytes).map_err(malformed)?;
    if let Some(table) = document
        .id_counters
        .keys()
        .find(|table| !ID_TABLES.contains(&table.as_str()))
    {
        return Err(TransferError::UnknownCounter {
            path: path.to_owned(),
            table: table.clone(),
        });
    }
    Ok(document)
}
