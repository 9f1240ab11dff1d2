//! Holdings as CSV: the export (`ticker,shares,costbasis,buy`, exactly as stored) and the
//! import's reading of a file from elsewhere. Header names are matched case- and
//! order-insensitively with the usual aliases; extra columns are ignored. Rows are numbered as
//! a spreadsheet shows them: the header is row 1.

use std::collections::BTreeMap;

use crate::domain::{BuyDate, CostBasis, Shares, Ticker};
use crate::models::asset::Asset;

/// Most rows one import may hold.
pub const MAX_ROWS: usize = 10_000;

/// The columns, with the names each is known by.
const COLUMNS: [(&str, &[&str]); 4] = [
    ("ticker", &["ticker", "symbol"]),
    ("shares", &["shares", "quantity", "qty"]),
    ("costbasis", &["costbasis", "price", "unit price"]),
    ("buy", &["buy", "date"]),
];

/// One holding read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    pub row: usize,
    pub ticker: Ticker,
    pub shares: Shares,
    pub costbasis: CostBasis,
    pub buy: BuyDate,
}

/// One problem, by row and field (`file` for the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub field: String,
    pub message: String,
}

fn error(row: usize, field: &str, message: impl Into<String>) -> RowError {
    RowError {
        row,
        field: field.to_owned(),
        message: message.into(),
    }
}

/// `ticker,shares,costbasis,buy` and one line per holding, as stored.
pub fn export(assets: &[Asset]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS.map(|(name, _)| name))?;
    for asset in assets {
        writer.write_record([
            asset.ticker.clone(),
            asset.shares.0.to_string(),
            asset.costbasis.0.to_string(),
            asset.buy.format("%Y-%m-%d").to_string(),
        ])?;
    }
    writer.flush()?;
    writer
        .into_inner()
        .map_err(|err| csv::Error::from(err.into_error()))
}

/// A header name as compared: lower case, `_` and `-` as spaces, spaces collapsed.
fn normalise(header: &str) -> String {
    header
        .to_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where each column is, or the header's problems.
fn columns(headers: &csv::StringRecord) -> Result<[usize; 4], Vec<RowError>> {
    let mut found: BTreeMap<&str, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    for (at, header) in headers.iter().enumerate() {
        let header = normalise(header);
        let Some((name, _)) = COLUMNS
            .iter()
            .find(|(_, aliases)| aliases.contains(&header.as_str()))
        else {
            continue;
        };
        if found.insert(name, at).is_some() {
            errors.push(error(
                1,
                name,
                format!("The header names the {name} column twice."),
            ));
        }
    }
    let mut positions = [0; 4];
    for (slot, (name, aliases)) in positions.iter_mut().zip(COLUMNS) {
        match found.get(name) {
            Some(at) => *slot = *at,
            None => errors.push(error(
                1,
                name,
                format!(
                    "The header has no {name} column (named {}).",
                    aliases.join(", ")
                ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(positions)
    } else {
        Err(errors)
    }
}

/// A number as the domain type parses it, after refusing thousands separators clearly: `1,234`
/// is `1234` in one country and `1.234` in another.
fn number<T>(raw: &str, parse: fn(&str) -> Result<T, String>) -> Result<T, String> {
    if raw.contains(',') || raw.trim().contains(' ') {
        return Err(
            "Write the number without thousands separators, with a point for decimals (1234.5, not 1,234.5)."
                .into(),
        );
    }
    parse(raw)
}

/// Reads a holdings file: every row, or every problem of every row.
pub fn parse(bytes: &[u8]) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(vec![error(1, "file", "The file is empty.")]);
    }
    // Records end at LF alone, so the reader counts lines right in CRLF files too (with its
    // default terminator it miscounts them); a CR left at a line's end is trimmed.
    let mut reader = csv::ReaderBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|err| vec![error(1, "file", unreadable(&err))])?
        .clone();
    let [ticker_at, shares_at, costbasis_at, buy_at] = columns(&headers)?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                let row = err
                    .position()
                    .map_or(reader.position().line(), |at| at.line());
                errors.push(error(row as usize, "file", unreadable(&err)));
                break;
            }
        }
        // The line the record starts on (the header is line 1).
        let row = record
            .position()
            .map_or(reader.position().line(), |at| at.line()) as usize;
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() + errors.len() >= MAX_ROWS {
            errors.push(error(
                row,
                "file",
                format!("A file may hold at most {MAX_ROWS} rows."),
            ));
            break;
        }
        let field = |at: usize| record.get(at).unwrap_or_default();
        let parsed = (
            Ticker::parse(field(ticker_at)),
            number(field(shares_at), Shares::parse),
            number(field(costbasis_at), CostBasis::parse),
            BuyDate::parse(field(buy_at)),
        );
        match parsed {
            (Ok(ticker), Ok(shares), Ok(costbasis), Ok(buy)) => rows.push(ImportRow {
                row,
                ticker,
                shares,
                costbasis,
                buy,
            }),
            (ticker, shares, costbasis, buy) => {
                let problems = [
                    ("ticker", ticker.err()),
                    ("shares", shares.err()),
                    ("costbasis", costbasis.err()),
                    ("buy", buy.err()),
                ];
                for (name, problem) in problems {
                    if let Some(message) = problem {
                        errors.push(error(row, name, message));
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn unreadable(err: &csv::Error) -> String {
    match err.kind() {
        csv::ErrorKind::Utf8 { .. } => "The file is not UTF-8 text.".into(),
        _ => format!("The file is not readable CSV: {err}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_their_aliases_in_any_case_and_order() {
        let rows =
            parse(b"Date,QTY,Unit Price,Symbol,Note\n2024-01-02,1.5,412.5,aapl,hello\n").unwrap();
        assert_eq!(rows[0].ticker.as_str(), "AAPL");
        assert_eq!(rows[0].shares.to_string(), "1.50000");
        assert_eq!(rows[0].costbasis.to_string(), "412.50");
        assert_eq!(rows[0].row, 2);
        let missing = parse(b"ticker,shares\nSPY,1\n").unwrap_err();
        assert_eq!(missing.len(), 2);
        assert_eq!(
            (missing[0].row, missing[0].field.as_str()),
            (1, "costbasis")
        );
        let twice = parse(b"ticker,symbol,shares,price,buy\n").unwrap_err();
        assert!(twice[0].message.contains("twice"), "{twice:?}");
    }

    #[test]
    fn bom_crlf_quotes_and_blank_lines_are_read_thousands_separators_are_not() {
        let rows = parse(
            "\u{feff}\"ticker\",\"shares\",\"costbasis\",\"buy\"\r\n\"SPY\",\"2\",\"471.25\",\"2024-01-02\"\r\n\r\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(rows.len(), 1);
        let refused = parse(
            b"ticker,shares,costbasis,buy\nSPY,\"1,000\",10,2024-01-02\nVTI,1,x,2024-13-01\n",
        )
        .unwrap_err();
        assert_eq!((refused[0].row, refused[0].field.as_str()), (2, "shares"));
        assert!(refused[0].message.contains("thousands separators"));
        assert_eq!(refused.len(), 3, "{refused:?}");
        assert_eq!(
            (refused[1].row, refused[1].field.as_str()),
            (3, "costbasis")
        );
        assert_eq!((refused[2].row, refused[2].field.as_str()), (3, "buy"));
        let after_a_good_row = parse(
            b"ticker,shares,costbasis,buy\r\nSPY,1,10,2024-01-02\r\n\r\nVTI,\"1,000\",10,2024-01-02\r\n",
        )
        .unwrap_err();
        assert_eq!(after_a_good_row[0].row, 4, "{after_a_good_row:?}");
        assert_eq!(parse(b"").unwrap_err()[0].message, "The file is empty.");
        assert!(
            parse(b"ticker,shares,costbasis,buy\n\xff,1,1,2024-01-02\n").unwrap_err()[0]
                .message
                .contains("UTF-8")
        );
    }
}
