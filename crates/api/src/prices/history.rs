//! Daily closing prices from a history provider, behind one trait so the provider is a
//! setting (`HISTORY_PROVIDER`): Finnhub's free plan has no daily candles. Stooq's daily CSV
//! needs no key.

use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::PriceError;
use crate::domain::Ticker;

#[async_trait]
pub trait DailyHistory: Send + Sync {
    /// `symbol`'s closes from `first` to `last`, oldest first; days without data are absent.
    async fn closes(
        &self,
        symbol: &str,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<(NaiveDate, Decimal)>, PriceError>;
}

/// Stooq's daily CSV (`<url>?s=spy.us&i=d&d1=YYYYMMDD&d2=YYYYMMDD`): a `Date,Open,High,Low,
/// Close,Volume` table, or the text `No data`.
pub struct Stooq {
    http: reqwest::Client,
    url: String,
}

impl Stooq {
    pub fn new(url: String, timeout: Duration) -> Result<Self, String> {
        let http = super::provider_client(timeout)?;
        Ok(Self { http, url })
    }
}

#[async_trait]
impl DailyHistory for Stooq {
    async fn closes(
        &self,
        symbol: &str,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<(NaiveDate, Decimal)>, PriceError> {
        // A market Stooq does not cover has no history here, as a symbol it does not know.
        let Ok(ticker) = Ticker::parse(symbol) else {
            return Ok(Vec::new());
        };
        let Some(stooq_symbol) = ticker.stooq_symbol() else {
            return Ok(Vec::new());
        };
        let response = self
            .http
            .get(&self.url)
            .query(&[
                ("s", stooq_symbol),
                ("i", "d".to_owned()),
                ("d1", first.format("%Y%m%d").to_string()),
                ("d2", last.format("%Y%m%d").to_string()),
            ])
            .send()
            .await
            .map_err(|err| PriceError::Unavailable(format!("history provider: {err}")))?;
        let status = response.status();
        if !status.is_success() {
            return Err(PriceError::Unavailable(format!(
                "history provider answered HTTP {status}"
            )));
        }
        let body = response
            .text()
            .await
            .map_err(|err| PriceError::Unavailable(format!("history provider: {err}")))?;
        Ok(parse_stooq(&body)?
            .into_iter()
            .map(|(date, close)| (date, ticker.listing_price(close)))
            .collect())
    }
}

/// The `Date` and `Close` columns of Stooq's CSV, found by name.
fn parse_stooq(body: &str) -> Result<Vec<(NaiveDate, Decimal)>, PriceError> {
    let unusable = |why: String| PriceError::Unavailable(format!("history provider: {why}"));
    if body.trim().eq_ignore_ascii_case("no data") || body.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(body.as_bytes());
    let headers = reader
        .headers()
        .map_err(|err| unusable(err.to_string()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|header| header.eq_ignore_ascii_case(name))
            .ok_or_else(|| unusable(format!("no {name} column in {:?}", headers)))
    };
    let (date_at, close_at) = (column("date")?, column("close")?);
    let mut closes = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| unusable(err.to_string()))?;
        let (Some(date), Some(close)) = (record.get(date_at), record.get(close_at)) else {
            continue;
        };
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|_| unusable(format!("bad date {date:?}")))?;
        let close = Decimal::from_str_exact(close)
            .map_err(|_| unusable(format!("bad close {close:?} on {date}")))?;
        closes.push((date, close));
    }
    closes.sort_by_key(|(date, _)| *date);
    Ok(closes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stooq_csv_gives_exact_closes_by_date_and_no_data_gives_none() {
        let body = "Date,Open,High,Low,Close,Volume\r\n\
                    2024-01-03,470.43,471.19,468.17,468.79,103585900\r\n\
                    2024-01-02,472.16,473.67,470.49,472.65,123623700\r\n";
        let closes = parse_stooq(body).unwrap();
        assert_eq!(closes.len(), 2);
        assert_eq!(closes[0].0.to_string(), "2024-01-02");
        assert_eq!(closes[0].1.to_string(), "472.65");
        assert_eq!(parse_stooq("No data").unwrap(), Vec::new());
        assert!(matches!(
            parse_stooq("<html>busy</html>"),
            Err(PriceError::Unavailable(_))
        ));
        assert!(parse_stooq("Date,Close\n2024-13-01,1\n").is_err());
    }
}
