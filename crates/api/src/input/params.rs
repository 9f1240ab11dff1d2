//! Query-string and path parameters. A bad one is a field error under its own name, like a bad
//! body field.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::domain::buy_date::parse_iso_date;
use crate::domain::{Sunday, Ticker};
use crate::error::ApiError;

pub type Query = HashMap<String, String>;

/// A `YYYY-MM-DD` date parameter (any valid date); absent or blank is `None`.
pub fn date(query: &Query, name: &str) -> Result<Option<NaiveDate>, ApiError> {
    match query.get(name).map(|raw| raw.trim()) {
        Some(raw) if !raw.is_empty() => parse_iso_date(raw)
            .map(Some)
            .map_err(|err| ApiError::field(name, err)),
        _ => Ok(None),
    }
}

/// A positive integer parameter (a page number, a page size).
pub fn positive(query: &Query, name: &str) -> Result<Option<usize>, ApiError> {
    match query.get(name) {
        None => Ok(None),
        Some(raw) => match raw.trim().parse::<usize>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(ApiError::field(
                name,
                "A valid positive integer is required.",
            )),
        },
    }
}

/// A yes/no parameter (`true`/`false`, `1`/`0`); absent is `None`.
pub fn flag(query: &Query, name: &str) -> Result<Option<bool>, ApiError> {
    match query.get(name).map(|raw| raw.trim().to_ascii_lowercase()) {
        None => Ok(None),
        Some(raw) => match raw.as_str() {
            "true" | "1" => Ok(Some(true)),
            "false" | "0" | "" => Ok(Some(false)),
            _ => Err(ApiError::field(name, "Must be a valid boolean.")),
        },
    }
}

/// `?symbols=SPY,VTI`: one to `max` distinct tickers, in the order given.
pub fn symbols(query: &Query, max: usize) -> Result<Vec<Ticker>, ApiError> {
    let raw = query.get("symbols").map(String::as_str).unwrap_or_default();
    let mut symbols: Vec<Ticker> = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let ticker = Ticker::parse(item)
            .map_err(|err| ApiError::field("symbols", format!("{item}: {err}")))?;
        if !symbols.contains(&ticker) {
            symbols.push(ticker);
        }
    }
    if symbols.is_empty() {
        return Err(ApiError::field(
            "symbols",
            "Give at least one symbol, e.g. ?symbols=SPY,VTI.",
        ));
    }
    if symbols.len() > max {
        return Err(ApiError::field(
            "symbols",
            format!("Ask for at most {max} symbols at once."),
        ));
    }
    Ok(symbols)
}

/// The `{sunday}` of a week's path.
pub fn sunday(raw: &str) -> Result<Sunday, ApiError> {
    Sunday::parse(raw).map_err(|err| ApiError::field("sunday", err))
}
