//! `api import-fx FILE`: exchange rates from a `date,base,quote,rate` CSV file (1 base = rate
//! quote) into the rate store. Every row is checked before anything is written, and the file
//! goes in as one transaction; a rate already stored for the same pair and day is replaced.

use std::collections::BTreeSet;
use std::path::Path;

use crate::cli::DatabaseOptions;
use crate::fx::import_file;
use crate::models::fx;

/// How many bad cells are listed before the rest are only counted.
const ERRORS_SHOWN: usize = 20;

pub fn import(database: &DatabaseOptions, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|err| format!("{}: {err}", path.display()))?;
    let rates = import_file::parse(text.trim_start_matches('\u{feff}')).map_err(|errors| {
        let more = errors.len().saturating_sub(ERRORS_SHOWN);
        let mut report: Vec<String> = errors
            .iter()
            .take(ERRORS_SHOWN)
            .map(ToString::to_string)
            .collect();
        if more > 0 {
            report.push(format!("… and {more} more"));
        }
        format!(
            "{}: nothing imported:\n{}",
            path.display(),
            report.join("\n")
        )
    })?;
    let pairs: BTreeSet<(&str, &str)> = rates
        .iter()
        .map(|rate| (rate.base.as_str(), rate.quote.as_str()))
        .collect();
    let summary = format!("{} rates of {} currency pairs", rates.len(), pairs.len());
    let pool = super::migrated_pool(database)?;
    let mut conn = pool.get().map_err(|err| err.to_string())?;
    conn.write_transaction(|conn| fx::upsert(conn, &rates))
        .map_err(|err| format!("database: {err}"))?;
    println!("Imported {summary}.");
    Ok(())
}
