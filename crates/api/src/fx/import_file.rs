//! `api import-fx FILE`: a CSV of `date,base,quote,rate` rows (1 base = rate quote), a header
//! line first. Every bad row is reported with its line and field; nothing is stored unless
//! every row is good.

use rust_decimal::Decimal;

use crate::domain::buy_date::parse_iso_date;
use crate::domain::CurrencyCode;
use crate::models::fx::FxRate;

/// One refused cell: its line (1-based, the header is line 1), its column and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, {}: {}", self.line, self.field, self.message)
    }
}

const COLUMNS: [&str; 4] = ["date", "base", "quote", "rate"];

/// The rates of `text`, or every error found.
pub fn parse(text: &str) -> Result<Vec<FxRate>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header_error = |message: String| {
        vec![RowError {
            line: 1,
            field: "header",
            message,
        }]
    };
    let headers = reader
        .headers()
        .map_err(|err| header_error(err.to_string()))?
        .clone();
    let mut at = [0usize; 4];
    for (slot, name) in at.iter_mut().zip(COLUMNS) {
        *slot = headers
            .iter()
            .position(|header| header.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                header_error(format!(
                    "no “{name}” column; the header is date,base,quote,rate"
                ))
            })?;
    }
    let mut rates = Vec::new();
    let mut errors = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                errors.push(RowError {
                    line,
                    field: "row",
                    message: err.to_string(),
                });
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |column: usize| record.get(at[column]).unwrap_or_default();
        let mut refuse = |field: &'static str, message: String| {
            errors.push(RowError {
                line,
                field,
                message,
            })
        };
        let date = parse_iso_date(cell(0))
            .map_err(|_| refuse("date", format!("“{}” is not a date (YYYY-MM-DD).", cell(0))))
            .ok();
        let base = CurrencyCode::parse(cell(1))
            .map_err(|err| refuse("base", err))
            .ok();
        let quote = CurrencyCode::parse(cell(2))
            .map_err(|err| refuse("quote", err))
            .ok();
        let rate = match Decimal::from_str_exact(cell(3)) {
            Ok(rate) if rate > Decimal::ZERO => Some(rate),
            Ok(_) => {
                refuse(
                    "rate",
                    format!("A rate must be greater than 0, not {}.", cell(3)),
                );
                None
            }
            Err(_) => {
                refuse("rate", format!("“{}” is not a number.", cell(3)));
                None
            }
        };
        if let (Some(base), Some(quote)) = (&base, &quote) {
            if base == quote {
                refuse(
                    "quote",
                    format!("A rate is between two currencies, not {base} and itself."),
                );
                continue;
            }
        }
        if let (Some(date), Some(base), Some(quote), Some(rate)) = (date, base, quote, rate) {
            rates.push(FxRate {
                base: base.into_inner(),
                quote: quote.into_inner(),
                date,
                rate,
            });
        }
    }
    if errors.is_empty() {
        Ok(rates)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_rows_are_read_in_any_column_order() {
        let rates = parse("quote,base,date,rate\nusd,EUR,2024-01-02,1.0956\n\n").unwrap();
        assert_eq!(rates.len(), 1);
        assert_eq!(
            (rates[0].base.as_str(), rates[0].quote.as_str()),
            ("EUR", "USD")
        );
        assert_eq!(rates[0].rate.to_string(), "1.0956");
    }

    #[test]
    fn every_bad_cell_is_named_by_line_and_field() {
        let errors = parse(
            "date,base,quote,rate\n\
             2024-01-02,EUR,USD,1.09\n\
             2024-13-01,EUR,USD,1.09\n\
             2024-01-03,EUR,XYZ,1.09\n\
             2024-01-03,EUR,USD,0\n\
             2024-01-03,EUR,USD,-1.2\n\
             2024-01-03,EUR,EUR,1\n\
             2024-01-03,EUR,USD,abc\n",
        )
        .unwrap_err();
        let named: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.field)).collect();
        assert_eq!(
            named,
            [
                (3, "date"),
                (4, "quote"),
                (5, "rate"),
                (6, "rate"),
                (7, "quote"),
                (8, "rate")
            ]
        );
        assert!(errors[1].message.contains("“XYZ” is not an ISO 4217"));
        assert!(errors[2]
            .to_string()
            .starts_with("line 5, rate: A rate must be greater than 0"));
        let header = parse("day,from,to,value\n").unwrap_err();
        assert_eq!((header[0].line, header[0].field), (1, "header"));
    }
}
