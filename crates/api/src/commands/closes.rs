//! `api import-closes FILE`: daily closes from a `symbol,date,close` CSV file into the price
//! store. Every row is checked before anything is written, and the file goes in as one
//! transaction; a close already stored for the same day is replaced (staff corrections).

use std::collections::BTreeSet;
use std::path::Path;

use crate::cli::DatabaseOptions;
use crate::domain::buy_date::parse_iso_date;
use crate::domain::{Price, Ticker};
use crate::models::closes::{self, NewClose};

/// How many bad rows are listed before the rest are only counted.
const ERRORS_SHOWN: usize = 20;

pub fn import(database: &DatabaseOptions, path: &Path) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|err| format!("{}: {err}", path.display()))?;
    let rows = parse(file).map_err(|err| format!("{}: {err}", path.display()))?;
    let symbols: BTreeSet<&str> = rows.iter().map(|row| row.symbol.as_str()).collect();
    let summary = format!("{} closes of {} symbols", rows.len(), symbols.len());
    let pool = super::migrated_pool(database)?;
    let mut conn = pool.get().map_err(|err| err.to_string())?;
    conn.write_transaction(|conn| closes::upsert(conn, &rows))
        .map_err(|err| format!("database: {err}"))?;
    println!("Imported {summary}.");
    Ok(())
}

/// The rows of a `symbol,date,close` file (header names in any case and order), or every
/// row's problem.
fn parse(input: impl std::io::Read) -> Result<Vec<NewClose>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers = reader.headers().map_err(|err| err.to_string())?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|header| header.eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("the header needs a {name} column (symbol,date,close)"))
    };
    let (symbol_at, date_at, close_at) = (column("symbol")?, column("date")?, column("close")?);
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (index, record) in reader.records().enumerate() {
        // The header is line 1.
        let line = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                errors.push(format!("line {line}: {err}"));
                continue;
            }
        };
        let field = |at: usize| record.get(at).unwrap_or_default();
        let parsed = (
            Ticker::parse(field(symbol_at)).map_err(|err| format!("symbol: {err}")),
            parse_iso_date(field(date_at)).map_err(|err| format!("date: {err}")),
            Price::parse(field(close_at)).map_err(|err| format!("close: {err}")),
        );
        match parsed {
            (Ok(symbol), Ok(date), Ok(close)) => rows.push(NewClose {
                symbol,
                date,
                close,
            }),
            (symbol, date, close) => {
                let problems: Vec<String> = [symbol.err(), date.err(), close.err()]
                    .into_iter()
                    .flatten()
                    .collect();
                errors.push(format!("line {line}: {}", problems.join("; ")));
            }
        }
    }
    if errors.is_empty() {
        return Ok(rows);
    }
    let more = errors.len().saturating_sub(ERRORS_SHOWN);
    let mut report = errors
        .into_iter()
        .take(ERRORS_SHOWN)
        .collect::<Vec<_>>()
        .join("\n");
    if more > 0 {
        report.push_str(&format!("\n… and {more} more"));
    }
    Err(format!("nothing imported:\n{report}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_by_header_name_and_every_bad_row_is_reported() {
        let rows = parse(
            "\u{feff}Date,Close,Symbol\r\n2024-01-02,472.65,spy\r\n2024-01-03,\"468.79\",SPY\r\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].symbol.as_str(), "SPY");
        assert_eq!(rows[1].close.value().to_string(), "468.7900");
        let err = parse("symbol,date,close\nSPY,2024/01/02,1\nBRK/B,2024-01-02,-1\n".as_bytes())
            .unwrap_err();
        assert!(err.contains("line 2: date"), "{err}");
        assert!(
            err.contains("line 3: symbol") && err.contains("close"),
            "{err}"
        );
        assert!(parse("ticker,price\n".as_bytes())
            .unwrap_err()
            .contains("symbol"));
    }
}
