//! The European Central Bank's daily reference rates, keyless: its data API's CSV
//! (`<url>/D.USD.EUR.SP00.A?startPeriod=…&endPeriod=…&format=csvdata`), one euro in each
//! currency, on the ECB's business days.

use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::models::fx::FxRate;
use crate::prices::PriceError;

/// Where rates come from (`FX_PROVIDER`); tests give a fake one.
#[async_trait]
pub trait RateProvider: Send + Sync {
    /// The rates of 1 EUR in `currency` from `first` to `last`; days without one are absent.
    async fn euro_rates(
        &self,
        currency: &str,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<FxRate>, PriceError>;
}

pub struct Ecb {
    http: reqwest::Client,
    url: String,
}

impl Ecb {
    pub fn new(url: String, timeout: Duration) -> Result<Self, String> {
        let http = crate::prices::provider_client(timeout)?;
        Ok(Self { http, url })
    }
}

#[async_trait]
impl RateProvider for Ecb {
    async fn euro_rates(
        &self,
        currency: &str,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<FxRate>, PriceError> {
        let unavailable = |why: String| PriceError::Unavailable(format!("ECB rates: {why}"));
        let response = self
            .http
            .get(format!(
                "{}/D.{currency}.EUR.SP00.A",
                self.url.trim_end_matches('/')
            ))
            .query(&[
                ("startPeriod", first.to_string()),
                ("endPeriod", last.to_string()),
                ("format", "csvdata".to_owned()),
            ])
            .send()
            .await
            .map_err(|err| unavailable(err.to_string()))?;
        let status = response.status();
        // The ECB answers 404 for a range (or a currency) it has no rate in.
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(Vec::new());
        }
        if !status.is_success() {
            return Err(unavailable(format!("HTTP {status}")));
        }
        let body = response
            .text()
            .await
            .map_err(|err| unavailable(err.to_string()))?;
        parse(&body).map_err(unavailable)
    }
}

/// The rows of the CSV, found by column name: `CURRENCY` (the quote), `CURRENCY_DENOM` (the
/// base, EUR), `TIME_PERIOD` and `OBS_VALUE`. A row without a value (a day the ECB skipped)
/// is left out.
fn parse(body: &str) -> Result<Vec<FxRate>, String> {
    if body.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(body.as_bytes());
    let headers = reader.headers().map_err(|err| err.to_string())?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|header| header.eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("no {name} column"))
    };
    let (quote_at, base_at, day_at, value_at) = (
        column("CURRENCY")?,
        column("CURRENCY_DENOM")?,
        column("TIME_PERIOD")?,
        column("OBS_VALUE")?,
    );
    let mut rates = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| err.to_string())?;
        let cell = |at: usize| record.get(at).unwrap_or_default();
        if cell(value_at).is_empty() || cell(value_at).eq_ignore_ascii_case("NaN") {
            continue;
        }
        let date = NaiveDate::parse_from_str(cell(day_at), "%Y-%m-%d")
            .map_err(|_| format!("bad date {:?}", cell(day_at)))?;
        let rate = Decimal::from_str_exact(cell(value_at))
            .ok()
            .filter(|rate| *rate > Decimal::ZERO)
            .ok_or_else(|| format!("bad rate {:?} on {date}", cell(value_at)))?;
        rates.push(FxRate {
            base: cell(base_at).to_ascii_uppercase(),
            quote: cell(quote_at).to_ascii_uppercase(),
            date,
            rate,
        });
    }
    Ok(rates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_gives_one_euro_in_the_currency_by_day() {
        let body = "KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n\
                    EXR.D.USD.EUR.SP00.A,D,USD,EUR,SP00,A,2024-01-02,1.0956,A\n\
                    EXR.D.USD.EUR.SP00.A,D,USD,EUR,SP00,A,2024-01-03,1.0919,A\n\
                    EXR.D.USD.EUR.SP00.A,D,USD,EUR,SP00,A,2024-01-04,,A\n";
        let rates = parse(body).unwrap();
        assert_eq!(rates.len(), 2);
        assert_eq!(
            (rates[0].base.as_str(), rates[0].quote.as_str()),
            ("EUR", "USD")
        );
        assert_eq!(rates[1].date.to_string(), "2024-01-03");
        assert_eq!(rates[1].rate.to_string(), "1.0919");
        assert!(parse("").unwrap().is_empty());
        assert!(parse("<html>maintenance</html>\n").is_err());
        assert!(
            parse("CURRENCY,CURRENCY_DENOM,TIME_PERIOD,OBS_VALUE\nUSD,EUR,2024-01-02,-1\n")
                .is_err()
        );
    }
}
