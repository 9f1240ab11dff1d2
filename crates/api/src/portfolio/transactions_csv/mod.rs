//! Transactions as CSV: the export in our own layout, and the import's reading of a file in our
//! layout or in the activity CSV of Ghostfolio or of Wealthfolio, into rows of our field names
//! for `input::entry::read_entry`. The header alone tells the layout. Rows are numbered as a
//! spreadsheet shows them: the header is row 1.
//!
//! This module checks only what a foreign layout alone knows: its type names and the types we
//! cannot take, its date forms, its signs, where it writes a dividend's cash and a split's
//! ratio. Everything else (a bad number, a bad ticker, a date in the future, a type our own
//! layout does not know) is passed on as written, so a file gets the very messages a request
//! body would. The mapping follows a reading of Ghostfolio (c542997d) and Wealthfolio
//! (b66a7151, v3.2) as of 2026; it was written here, and no code of either project was used.

mod ghostfolio;
mod ours;
mod wealthfolio;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Map, Value};

use super::holdings_csv::{RowError, MAX_ROWS};

/// One transaction read from a file, as our field names to JSON values (strings, or null),
/// ready for `input::entry::read_entry` after the account is resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRow {
    /// The spreadsheet row (the header is row 1); a Wealthfolio DRIP gives two CsvRows with one
    /// row number.
    pub row: usize,
    /// Keys among: type, ticker, date, quantity, price, fee, amount, ratio, currency, note —
    /// string values (decimals as plain decimal text, dates as YYYY-MM-DD). Absent keys mean
    /// "not given".
    pub fields: Map<String, Value>,
    /// The account named in the file (ours: `account` column; Ghostfolio: account group;
    /// Wealthfolio: accountName/account), trimmed; None when blank/absent.
    pub account: Option<String>,
}

/// The layout a file was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Ours,
    Ghostfolio,
    Wealthfolio,
}

/// One transaction as our export writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub kind: String,
    pub ticker: String,
    pub date: NaiveDate,
    pub quantity: Option<String>,
    pub price: Option<String>,
    pub fee: Option<String>,
    pub amount: Option<String>,
    pub ratio: Option<String>,
    pub account: String,
    pub currency: String,
    pub note: Option<String>,
}

/// Our columns, in the order the export writes them.
const COLUMNS: [&str; 11] = [
    "type", "ticker", "date", "quantity", "price", "fee", "amount", "ratio", "account", "currency",
    "note",
];

/// The message of a header no layout claims: it names all three, since the user may have meant
/// any of them.
const UNRECOGNISED: &str = "The header matches none of the layouts this import reads: ours \
(type,ticker,date and any of quantity,price,fee,amount,ratio,account,currency,note), \
Ghostfolio's activities CSV (Date,Code,DataSource,Currency,Price,Quantity,Action,Fee,Note) or \
Wealthfolio's activities CSV (date,symbol,instrumentType,quantity,activityType,unitPrice,\
currency,fee,amount,fxRate,subtype, or its export).";

/// The message of a field that must be there, as `read_entry` words it.
const REQUIRED: &str = "This field is required.";
/// The message of text that is no number, as the domain's decimals word it.
const NOT_A_NUMBER: &str = "A valid number is required.";

/// Our layout: `type,ticker,date,quantity,price,fee,amount,ratio,account,currency,note`, one
/// line per transaction, empty cells where a type has no value.
pub fn export(rows: &[ExportRow]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    for row in rows {
        let given = |value: &Option<String>| value.clone().unwrap_or_default();
        writer.write_record([
            row.kind.clone(),
            row.ticker.clone(),
            row.date.format("%Y-%m-%d").to_string(),
            given(&row.quantity),
            given(&row.price),
            given(&row.fee),
            given(&row.amount),
            given(&row.ratio),
            row.account.clone(),
            row.currency.clone(),
            given(&row.note),
        ])?;
    }
    writer.flush()?;
    writer
        .into_inner()
        .map_err(|err| csv::Error::from(err.into_error()))
}

/// Detects the layout from the header and reads every row. All problems at once: Err holds
/// every row error (field names are ours: `type`, `ticker`, `date`, `quantity`, `price`, `fee`,
/// `amount`, `ratio`, `currency`, `account`, `note`; `file` for the file as a whole, e.g. an
/// unrecognised header, an empty file, more than MAX_ROWS rows, a `;`-separated file).
pub fn parse(text: &str) -> Result<(Layout, Vec<CsvRow>), Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(header_line) = text.lines().find(|line| !line.trim().is_empty()) else {
        return Err(vec![error(1, "file", "The file is empty.")]);
    };
    // Both tools guess the delimiter; we read commas only, and say so rather than report a
    // header that matches nothing.
    if header_line.contains(';') && !header_line.contains(',') {
        return Err(vec![error(
            1,
            "file",
            "Semicolon-separated files are not supported: save the file with commas between \
             the columns.",
        )]);
    }
    let headers = reader(text)
        .headers()
        .map_err(|err| vec![error(1, "file", unreadable(&err))])?
        .clone();
    let layout = detect(&headers)?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut read = 0;
    let visit = |row: usize, record: &csv::StringRecord| {
        if read == MAX_ROWS {
            errors.push(error(
                row,
                "file",
                format!("A file may hold at most {MAX_ROWS} rows."),
            ));
            return false;
        }
        read += 1;
        match layout.read(row, record) {
            Ok(read) => rows.extend(read),
            Err(problems) => errors.extend(problems),
        }
        true
    };
    let failure = if layout.json_lines() {
        wealthfolio::each_export_record(text, visit);
        None
    } else {
        each_record(text, visit)
    };
    errors.extend(failure);
    if errors.is_empty() {
        Ok((layout.layout(), rows))
    } else {
        Err(errors)
    }
}

/// A detected layout, with where its columns are.
enum Reading {
    Ours(ours::Columns),
    Ghostfolio(ghostfolio::Columns),
    Wealthfolio(wealthfolio::Columns),
}

impl Reading {
    fn layout(&self) -> Layout {
        match self {
            Self::Ours(_) => Layout::Ours,
            Self::Ghostfolio(_) => Layout::Ghostfolio,
            Self::Wealthfolio(_) => Layout::Wealthfolio,
        }
    }

    /// Whether the body is Wealthfolio's export, whose cells are JSON strings.
    fn json_lines(&self) -> bool {
        matches!(self, Self::Wealthfolio(columns) if columns.is_export())
    }

    fn read(&self, row: usize, record: &csv::StringRecord) -> Result<Vec<CsvRow>, Vec<RowError>> {
        match self {
            Self::Ours(columns) => columns.read(row, record),
            Self::Ghostfolio(columns) => columns.read(row, record),
            Self::Wealthfolio(columns) => columns.read(row, record),
        }
    }
}

/// Ours first, since Ghostfolio's aliases include `type`, `ticker` and `date`; then Wealthfolio,
/// whose `activityType` and `unitPrice` Ghostfolio does not read; then Ghostfolio.
fn detect(headers: &csv::StringRecord) -> Result<Reading, Vec<RowError>> {
    if let Some(columns) = ours::columns(headers) {
        return columns.map(Reading::Ours);
    }
    if let Some(columns) = wealthfolio::columns(headers) {
        return columns.map(Reading::Wealthfolio);
    }
    if let Some(columns) = ghostfolio::columns(headers) {
        return Ok(Reading::Ghostfolio(columns));
    }
    Err(vec![error(1, "file", UNRECOGNISED)])
}

/// A reader of plain RFC 4180 text. Records end at LF alone, so the reader counts lines right
/// in CRLF files too (with its default terminator it miscounts them); a CR left at a line's
/// end is trimmed.
fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// Calls `visit` with each record after the header and the row it starts on, skipping blank
/// ones, until `visit` says stop; the file's own problem, if it has one.
fn each_record(
    text: &str,
    mut visit: impl FnMut(usize, &csv::StringRecord) -> bool,
) -> Option<RowError> {
    let mut reader = reader(text);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(err) => {
                let row = err
                    .position()
                    .map_or(reader.position().line(), |at| at.line());
                return Some(error(row as usize, "file", unreadable(&err)));
            }
        }
        let row = record
            .position()
            .map_or(reader.position().line() as usize, |at| row_of(text, at));
        if record.iter().all(str::is_empty) {
            continue;
        }
        if !visit(row, &record) {
            return None;
        }
    }
}

/// The line a record starts on. The reader gives the place it began to look for the record,
/// which is before the empty lines it skipped on the way, so those are counted here.
fn row_of(text: &str, start: &csv::Position) -> usize {
    let skipped = text
        .as_bytes()
        .get(usize::try_from(start.byte()).unwrap_or(usize::MAX)..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&byte| byte == b'\n')
        .count();
    start.line() as usize + skipped
}

fn unreadable(err: &csv::Error) -> String {
    format!("The file is not readable CSV: {err}.")
}

fn error(row: usize, field: &str, message: impl Into<String>) -> RowError {
    RowError {
        row,
        field: field.to_owned(),
        message: message.into(),
    }
}

impl CsvRow {
    fn new(row: usize) -> Self {
        Self {
            row,
            fields: Map::new(),
            account: None,
        }
    }

    fn set(&mut self, name: &str, value: impl Into<String>) {
        self.fields
            .insert(name.to_owned(), Value::String(value.into()));
    }

    /// Sets `name` unless `value` is empty: an empty cell is "not given".
    fn set_given(&mut self, name: &str, value: &str) {
        if !value.is_empty() {
            self.set(name, value);
        }
    }
}

/// The types our ledger records, as a foreign layout's row maps onto them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Buy,
    Sell,
    Dividend,
    Split,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Buy => "BUY",
            Self::Sell => "SELL",
            Self::Dividend => "DIVIDEND",
            Self::Split => "SPLIT",
        }
    }
}

/// The currency cell, unless it names a minor unit. `GBp` is pence, and our currency check
/// upper-cases before it compares, so a price in pence would silently be read as pounds: the
/// raw text is judged, case and all, before anything else.
fn currency(row: usize, raw: &str, out: &mut CsvRow, errors: &mut Vec<RowError>) {
    if raw.is_empty() {
        return;
    }
    let minor = match raw {
        "GBp" => Some(("pence", "GBP")),
        "ZAc" => Some(("cents", "ZAR")),
        _ => match raw.to_ascii_uppercase().as_str() {
            "GBX" => Some(("pence", "GBP")),
            "ZAC" => Some(("cents", "ZAR")),
            "ILA" => Some(("agorot", "ILS")),
            "USX" => Some(("cents", "USD")),
            _ => None,
        },
    };
    match minor {
        Some((unit, major)) => errors.push(error(
            row,
            "currency",
            format!(
                "Currency \"{raw}\" is a minor unit ({unit}) and is not supported; convert \
                 the amounts to {major}."
            ),
        )),
        None => out.set("currency", raw),
    }
}

/// A number's text without its minus sign: brokers write sells and fees as negatives, and both
/// foreign tools read their magnitude.
fn unsigned(raw: &str) -> &str {
    raw.strip_prefix('-').unwrap_or(raw)
}

/// The magnitude of a foreign layout's number: its text without one minus sign, as a decimal
/// that is not negative (`--5` is no number).
fn magnitude(raw: &str) -> Option<Decimal> {
    decimal(unsigned(raw)).filter(|value| !value.is_sign_negative())
}

/// Decimal text (`[+-]digits[.digits][e[+-]digits]`, digits on at least one side of the
/// point) as an exact decimal; `None` for anything else, or a number a `Decimal` cannot hold.
fn decimal(raw: &str) -> Option<Decimal> {
    let (mantissa, exponent) = match raw.find(['e', 'E']) {
        Some(at) => (&raw[..at], Some(&raw[at + 1..])),
        None => (raw, None),
    };
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let unsigned = mantissa.strip_prefix(['+', '-']).unwrap_or(mantissa);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if int.len() + frac.len() == 0 || !digits(int) || !digits(frac) {
        return None;
    }
    match exponent {
        None => Decimal::from_str_exact(raw).ok(),
        Some(exponent) => {
            let magnitude = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if magnitude.is_empty() || !digits(magnitude) {
                return None;
            }
            Decimal::from_scientific(raw).ok()
        }
    }
}

/// A value the file does not hold but implies (a dividend's quantity × price), at the places
/// our money keeps, rounded half to even as all of the project's money is.
fn derived(quantity: Decimal, price: Decimal) -> Option<Decimal> {
    quantity
        .checked_mul(price)
        .map(|product| product.round_dp_with_strategy(6, RoundingStrategy::MidpointNearestEven))
}

/// A dividend's `amount` from its gross cash and the fee cell: our DIVIDEND records the cash
/// received and has no fee of its own, so the fee comes off (as Wealthfolio books it).
fn net_dividend(
    row: usize,
    gross: Decimal,
    fee: &str,
    out: &mut CsvRow,
    errors: &mut Vec<RowError>,
) {
    let fee = match fee {
        "" => Decimal::ZERO,
        raw => match magnitude(raw) {
            Some(fee) if fee.normalize().scale() > 6 => {
                errors.push(error(
                    row,
                    "fee",
                    "Ensure that there are no more than 6 decimal places.",
                ));
                return;
            }
            Some(fee) => fee,
            None => {
                errors.push(error(row, "fee", NOT_A_NUMBER));
                return;
            }
        },
    };
    let Some(net) = gross.checked_sub(fee) else {
        errors.push(error(row, "amount", NOT_A_NUMBER));
        return;
    };
    if net > Decimal::ZERO {
        out.set("amount", net.to_string());
    } else if fee.is_zero() {
        errors.push(error(
            row,
            "amount",
            "A DIVIDEND's amount must be greater than 0.",
        ));
    } else {
        errors.push(error(
            row,
            "amount",
            format!("A DIVIDEND's amount after its fee must be greater than 0 ({gross} - {fee})."),
        ));
    }
}

/// `YYYY`, `MM`, `DD` as a calendar date, each part exactly that many digits.
fn ymd(year: &str, month: &str, day: &str) -> Option<NaiveDate> {
    let number = |part: &str, len: usize| {
        (part.len() == len && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let year = i32::try_from(number(year, 4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(month, 2)?, number(day, 2)?)
}

/// The date part of `YYYY-MM-DD<sep>HH:MM[:SS[.f…]][Z|±HH:MM]`, as written: converting the
/// instant to UTC could move it to another day, and the file's writer meant the day it wrote.
fn timestamp_date(raw: &str, separators: &[u8]) -> Option<NaiveDate> {
    if !raw.is_ascii() || raw.len() <= 11 || !separators.contains(&raw.as_bytes()[10]) {
        return None;
    }
    let date = iso_date(&raw[..10])?;
    time_of_day(&raw[11..]).then_some(date)
}

/// `YYYY-MM-DD` exactly.
fn iso_date(raw: &str) -> Option<NaiveDate> {
    let bytes = raw.as_bytes();
    if !raw.is_ascii() || bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    ymd(&raw[..4], &raw[5..7], &raw[8..])
}

/// `HH:MM[:SS[.f…]]` then `Z`, `±HH:MM` or nothing.
fn time_of_day(raw: &str) -> bool {
    let two = |part: &str, max: u32| {
        part.len() == 2
            && part.bytes().all(|b| b.is_ascii_digit())
            && part.parse::<u32>().is_ok_and(|value| value <= max)
    };
    let (clock, offset) = match raw.find(['Z', '+', '-']) {
        Some(at) => raw.split_at(at),
        None => (raw, ""),
    };
    let offset_ok = match offset.as_bytes().first() {
        None => true,
        Some(b'Z') => offset.len() == 1,
        Some(_) => offset[1..]
            .split_once(':')
            .is_some_and(|(hours, minutes)| two(hours, 23) && two(minutes, 59)),
    };
    let mut parts = clock.split(':');
    let (Some(hours), Some(minutes)) = (parts.next(), parts.next()) else {
        return false;
    };
    let seconds_ok = match (parts.next(), parts.next()) {
        (None, _) => true,
        (Some(seconds), None) => {
            let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, "0"));
            two(whole, 60) && !fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit())
        }
        (Some(_), Some(_)) => false,
    };
    offset_ok && two(hours, 23) && two(minutes, 59) && seconds_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of a file that must parse, in `layout`.
    pub(super) fn rows(layout: Layout, text: &str) -> Vec<CsvRow> {
        let (found, rows) = parse(text).unwrap_or_else(|errors| panic!("{errors:#?}"));
        assert_eq!(found, layout);
        rows
    }

    /// The errors of a file that must fail.
    pub(super) fn errors(text: &str) -> Vec<RowError> {
        match parse(text) {
            Ok(parsed) => panic!("expected errors, got {parsed:#?}"),
            Err(errors) => errors,
        }
    }

    /// A row's fields as `name=value` pairs, sorted, with the account last: short to compare.
    pub(super) fn shown(row: &CsvRow) -> String {
        let mut pairs: Vec<String> = row
            .fields
            .iter()
            .map(|(name, value)| format!("{name}={}", value.as_str().unwrap()))
            .collect();
        pairs.sort();
        if let Some(account) = &row.account {
            pairs.push(format!("@{account}"));
        }
        pairs.join(" ")
    }

    fn date(raw: &str) -> NaiveDate {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_export_reads_back_as_the_same_transactions() {
        let exported = vec![
            ExportRow {
                kind: "BUY".into(),
                ticker: "KO".into(),
                date: date("2023-03-15"),
                quantity: Some("20.00000000".into()),
                price: Some("58.400000".into()),
                fee: Some("1.500000".into()),
                amount: None,
                ratio: None,
                account: "Broker, \"main\"".into(),
                currency: "USD".into(),
                note: Some("First lot\nof two".into()),
            },
            ExportRow {
                kind: "DIVIDEND".into(),
                ticker: "KO".into(),
                date: date("2023-09-12"),
                quantity: None,
                price: None,
                fee: None,
                amount: Some("6.900000".into()),
                ratio: None,
                account: "IRA".into(),
                currency: "USD".into(),
                note: None,
            },
            ExportRow {
                kind: "SPLIT".into(),
                ticker: "NVDA".into(),
                date: date("2024-06-10"),
                quantity: None,
                price: None,
                fee: None,
                amount: None,
                ratio: Some("10.0000000000".into()),
                account: "IRA".into(),
                currency: "USD".into(),
                note: None,
            },
        ];
        let bytes = export(&exported).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with(
            "type,ticker,date,quantity,price,fee,amount,ratio,account,currency,note\n"
        ));
        assert!(text.contains("\nSPLIT,NVDA,2024-06-10,,,,,10.0000000000,IRA,USD,\n"));
        let read = rows(Layout::Ours, &text);
        assert_eq!(read.len(), 3);
        for (read, written) in read.iter().zip(&exported) {
            let field = |name: &str| read.fields.get(name).and_then(Value::as_str);
            assert_eq!(field("type"), Some(written.kind.as_str()));
            assert_eq!(field("ticker"), Some(written.ticker.as_str()));
            assert_eq!(field("date"), Some(written.date.to_string().as_str()));
            assert_eq!(field("quantity"), written.quantity.as_deref());
            assert_eq!(field("price"), written.price.as_deref());
            assert_eq!(field("fee"), written.fee.as_deref());
            assert_eq!(field("amount"), written.amount.as_deref());
            assert_eq!(field("ratio"), written.ratio.as_deref());
            assert_eq!(field("currency"), Some(written.currency.as_str()));
            assert_eq!(field("note"), written.note.as_deref());
            assert_eq!(read.account.as_deref(), Some(written.account.as_str()));
            assert!(!read.fields.contains_key("account"));
        }
        // The quoted, multi-line first record starts on row 2; the next one on row 4.
        assert_eq!(
            read.iter().map(|row| row.row).collect::<Vec<_>>(),
            [2, 4, 5]
        );
    }

    #[test]
    fn an_empty_transaction_list_exports_the_header_alone() {
        let text = String::from_utf8(export(&[]).unwrap()).unwrap();
        assert_eq!(
            text,
            "type,ticker,date,quantity,price,fee,amount,ratio,account,currency,note\n"
        );
        assert!(rows(Layout::Ours, &text).is_empty());
    }

    #[test]
    fn each_layout_is_told_by_its_header() {
        let cases = [
            ("type,ticker,date\n", Layout::Ours),
            ("Date,Code,DataSource,Currency,Price,Quantity,Action,Fee,Note\n", Layout::Ghostfolio),
            (
                "date,symbol,instrumentType,quantity,activityType,unitPrice,currency,fee,amount,fxRate,subtype\n",
                Layout::Wealthfolio,
            ),
            (
                "\"id\",\"accountId\",\"symbol\",\"activityType\",\"date\",\"quantity\",\"unitPrice\",\"currency\",\"fee\",\"amount\",\"isDraft\",\"comment\",\"accountName\",\"assetSymbol\"\n",
                Layout::Wealthfolio,
            ),
            // Interactive Brokers' Activity Flex columns are all Ghostfolio aliases.
            (
                "CurrencyPrimary,Symbol,TradeDate,TradePrice,Quantity,Buy/Sell,IBCommission\n",
                Layout::Ghostfolio,
            ),
        ];
        for (header, layout) in cases {
            assert_eq!(
                parse(header).map(|(found, _)| found),
                Ok(layout),
                "{header}"
            );
        }
    }

    #[test]
    fn a_header_that_matches_no_layout_is_one_error_naming_all_three() {
        for header in [
            "ticker,shares,costbasis,buy\nSPY,1,10,2024-01-02\n",
            // Ghostfolio without a fee column: one required group is missing.
            "Date,Code,Currency,Price,Quantity,Action\n2023-01-02,KO,USD,1,1,buy\n",
        ] {
            let refused = errors(header);
            assert_eq!(refused.len(), 1, "{refused:?}");
            assert_eq!((refused[0].row, refused[0].field.as_str()), (1, "file"));
            for named in ["ours", "Ghostfolio", "Wealthfolio"] {
                assert!(refused[0].message.contains(named), "{refused:?}");
            }
        }
    }

    #[test]
    fn a_semicolon_separated_file_is_refused_as_such() {
        let refused = errors("type;ticker;date;quantity;price\nBUY;KO;2024-01-02;1;10\n");
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].field, "file");
        assert!(
            refused[0].message.contains("Semicolon-separated"),
            "{refused:?}"
        );
    }

    #[test]
    fn an_empty_file_is_refused_and_a_header_alone_is_no_rows() {
        for empty in ["", "\u{feff}", " \r\n\n"] {
            assert_eq!(
                errors(empty),
                [error(1, "file", "The file is empty.")],
                "{empty:?}"
            );
        }
        assert!(rows(Layout::Ours, "\u{feff}Type , Ticker,DATE\r\n\r\n").is_empty());
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them_across_blank_lines() {
        let numbers = |text: &str| -> Vec<usize> {
            parse(text).unwrap().1.iter().map(|row| row.row).collect()
        };
        assert_eq!(
            numbers("type,ticker,date\nA,B,C\n\nA,B,C\n\n\nA,B,C\n"),
            [2, 4, 7]
        );
        assert_eq!(
            numbers("type,ticker,date\r\nA,B,C\r\n\r\nA,B,C\r\n"),
            [2, 4]
        );
        assert_eq!(numbers("\ntype,ticker,date\n\nA,B,C\n"), [4]);
        let export = "\"date\",\"assetSymbol\",\"activityType\",\"quantity\",\"unitPrice\",\"amount\"\n\n\
                      \"2024-01-02\",\"KO\",\"BUY\",\"1\",\"2\",\"\"\r\n\"\",\"\",\"\",\"\",\"\",\"\"\n\
                      \"2024-01-02\",\"KO\",\"BUY\",\"1\",\"2\",\"\"";
        assert_eq!(numbers(export), [3, 5]);
    }

    #[test]
    fn more_than_max_rows_is_refused_at_the_first_row_too_many() {
        let mut text = String::from("type,ticker,date\n");
        for _ in 0..MAX_ROWS {
            text.push_str("BUY,KO,2024-01-02\n\n");
        }
        assert_eq!(rows(Layout::Ours, &text).len(), MAX_ROWS);
        text.push_str("BUY,KO,2024-01-02\n");
        let refused = errors(&text);
        assert_eq!(refused.len(), 1, "{:?}", refused.first());
        assert_eq!(refused[0].field, "file");
        assert_eq!(refused[0].row, 2 + 2 * MAX_ROWS);
        assert!(refused[0].message.contains("10000"), "{refused:?}");
    }

    #[test]
    fn derived_values_round_half_to_even_at_six_places() {
        let of = |raw: &str| decimal(raw).unwrap();
        assert_eq!(derived(of("0.5"), of("0.000005")), Some(of("0.000002")));
        assert_eq!(derived(of("0.5"), of("0.000015")), Some(of("0.000008")));
        assert_eq!(derived(of("15"), of("0.46")).unwrap().to_string(), "6.90");
    }

    #[test]
    fn decimals_are_plain_digits_with_an_optional_point_and_exponent() {
        for (raw, value) in [
            ("5", "5"),
            ("5.", "5"),
            (".5", "0.5"),
            ("+1.50", "1.50"),
            ("1.5e2", "150"),
            ("25E-2", "0.25"),
        ] {
            assert_eq!(
                decimal(raw).map(|d| d.to_string()).as_deref(),
                Some(value),
                "{raw}"
            );
        }
        for raw in [
            "", ".", "1,5", "1_000", "1e", "e5", "--1", "1.2.3", "$5", "1e99", "(12)",
        ] {
            assert_eq!(decimal(raw), None, "{raw}");
        }
    }

    #[test]
    fn a_foreign_number_loses_one_minus_sign_and_no_more() {
        assert_eq!(magnitude("-1.5"), decimal("1.5"));
        assert_eq!(magnitude("0"), Some(Decimal::ZERO));
        for raw in ["--1.5", "-", "x"] {
            assert_eq!(magnitude(raw), None, "{raw}");
        }
    }

    #[test]
    fn timestamps_keep_the_day_written_whatever_their_offset() {
        for raw in [
            "2025-06-25T00:00:00+01:00",
            "2025-06-25T23:30:00-05:00",
            "2025-06-25T00:00:00.000Z",
            "2025-06-25T10:00",
            "2025-06-25T10:00:00.123456789",
        ] {
            assert_eq!(timestamp_date(raw, b"T"), Some(date("2025-06-25")), "{raw}");
        }
        for raw in [
            "2025-06-25T",
            "2025-06-25T25:00",
            "2025-06-25T10",
            "2025-06-25T10:00:00+0100",
            "2025-06-25T10:00:00Z1",
            "2025-06-31T10:00",
            "2025-06-25 10:00",
        ] {
            assert_eq!(timestamp_date(raw, b"T"), None, "{raw}");
        }
    }
}
