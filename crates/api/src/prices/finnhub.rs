//! Finnhub's HTTP API: timeouts, retries with exponential backoff on rate limits and server
//! errors, and every attempt paid for from the budget first.

use std::time::Duration;

use prometheus::IntCounterVec;
use rust_decimal::Decimal;
use serde_json::Value;

use super::budget::{Budget, Lane};
use super::{PriceError, Profile, Quote, QuoteSource};
use crate::domain::Ticker;

#[derive(Debug, Clone)]
pub struct FinnhubSettings {
    pub base_url: String,
    pub token: String,
    pub timeout: Duration,
    pub retries: u32,
    pub first_backoff: Duration,
    /// How long a quote is reused.
    pub quote_cache: Duration,
    /// How long a symbol Finnhub does not know is remembered as unknown.
    pub unknown_cache: Duration,
}

/// Longest wait honoured from a `Retry-After` header.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

pub struct FinnhubApi {
    http: reqwest::Client,
    settings: FinnhubSettings,
    budget: Budget,
    /// Attempts by endpoint and outcome (status code, `timeout` or `error`).
    requests: IntCounterVec,
}

impl FinnhubApi {
    pub fn new(
        settings: FinnhubSettings,
        budget: Budget,
        requests: IntCounterVec,
    ) -> Result<Self, String> {
        let http = super::provider_client(settings.timeout)?;
        Ok(Self {
            http,
            settings,
            budget,
            requests,
        })
    }

    /// `GET /quote?symbol=…` for `lane`.
    pub async fn quote(&self, symbol: &str, lane: Lane) -> Result<Quote, PriceError> {
        let body = self.get("quote", symbol, lane).await?;
        parse_quote(symbol, &body)
    }

    /// `GET /stock/profile2?symbol=…` for `lane`.
    pub async fn profile(&self, symbol: &str, lane: Lane) -> Result<Profile, PriceError> {
        let body = self.get("stock/profile2", symbol, lane).await?;
        parse_profile(symbol, &body)
    }

    /// The body of `GET <base>/<endpoint>?symbol=…`, retried on 429, 5xx and timeouts; each
    /// attempt takes a call from the budget first, and a throttled budget ends the tries.
    async fn get(&self, endpoint: &str, symbol: &str, lane: Lane) -> Result<String, PriceError> {
        let url = format!(
            "{}/{endpoint}",
            self.settings.base_url.trim_end_matches('/')
        );
        let mut backoff = self.settings.first_backoff;
        let mut last_error = String::new();
        for attempt in 0..=self.settings.retries {
            if attempt > 0 {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            self.budget.take_call(lane).await?;
            let response = self
                .http
                .get(&url)
                .query(&[("symbol", symbol)])
                .header("X-Finnhub-Token", &self.settings.token)
                .send()
                .await;
            let response = match response {
                Ok(response) => {
                    self.requests
                        .with_label_values(&[endpoint, response.status().as_str()])
                        .inc();
                    response
                }
                Err(err) => {
                    let outcome = if err.is_timeout() { "timeout" } else { "error" };
                    self.requests.with_label_values(&[endpoint, outcome]).inc();
                    last_error = if err.is_timeout() {
                        "timed out".into()
                    } else {
                        err.to_string()
                    };
                    log::warn!(
                        "finnhub {endpoint} {symbol}: {last_error} (attempt {})",
                        attempt + 1
                    );
                    continue;
                }
            };
            let status = response.status();
            if status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                if let Some(wait) = retry_after(&response) {
                    backoff = backoff.max(wait);
                }
                last_error = format!("HTTP {status}");
                log::warn!(
                    "finnhub {endpoint} {symbol}: {last_error} (attempt {})",
                    attempt + 1
                );
                continue;
            }
            if !status.is_success() {
                return Err(PriceError::Unavailable(format!(
                    "Finnhub answered HTTP {status}"
                )));
            }
            return response
                .text()
                .await
                .map_err(|err| PriceError::Unavailable(err.to_string()));
        }
        Err(PriceError::Unavailable(format!("Finnhub: {last_error}")))
    }
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let secs: u64 = response
        .headers()
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// A JSON number of `value` as an exact decimal (serde_json keeps the source digits).
fn decimal(value: &Value, key: &str) -> Option<Decimal> {
    let number = value.get(key)?.as_number()?.to_string();
    Decimal::from_str_exact(&number)
        .or_else(|_| Decimal::from_scientific(&number))
        .ok()
}

/// Finnhub's `{"c": current, "d": change, "dp": percent, "pc": previous close, "t": time, …}`;
/// an unknown symbol comes back as all zeros.
fn parse_quote(symbol: &str, body: &str) -> Result<Quote, PriceError> {
    let value: Value = serde_json::from_str(body)
        .map_err(|err| PriceError::Unavailable(format!("bad quote JSON: {err}")))?;
    let price = decimal(&value, "c")
        .filter(|price| *price > Decimal::ZERO)
        .ok_or_else(|| PriceError::UnknownSymbol(symbol.to_owned()))?;
    // London quotes in pence; everything kept is in pounds.
    let in_listing = |quoted: Decimal| match Ticker::parse(symbol) {
        Ok(ticker) => ticker.listing_price(quoted),
        Err(_) => quoted,
    };
    let time = value.get("t").and_then(Value::as_i64);
    Ok(Quote {
        symbol: symbol.to_owned(),
        price: in_listing(price),
        change: decimal(&value, "d").map(in_listing),
        percent_change: decimal(&value, "dp"),
        previous_close: decimal(&value, "pc").map(in_listing),
        time,
        source: QuoteSource::Finnhub,
        as_of: time
            .filter(|t| *t > 0)
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(|t| t.date_naive()),
    })
}

/// Finnhub's `{"name": …, "marketCapitalization": millions, …}`; an unknown symbol is `{}`.
fn parse_profile(symbol: &str, body: &str) -> Result<Profile, PriceError> {
    let value: Value = serde_json::from_str(body)
        .map_err(|err| PriceError::Unavailable(format!("bad profile JSON: {err}")))?;
    let name = value
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned);
    let market_cap = decimal(&value, "marketCapitalization")
        .filter(|cap| *cap > Decimal::ZERO)
        .and_then(|millions| millions.checked_mul(Decimal::from(1_000_000)));
    if name.is_none() && market_cap.is_none() {
        return Err(PriceError::UnknownSymbol(symbol.to_owned()));
    }
    Ok(Profile { name, market_cap })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_give_the_name_and_the_market_cap_in_dollars() {
        let profile = parse_profile(
            "AAPL",
            r#"{"country":"US","name":"Apple Inc","marketCapitalization":2874123.5,"ticker":"AAPL"}"#,
        )
        .unwrap();
        assert_eq!(profile.name.as_deref(), Some("Apple Inc"));
        assert_eq!(
            profile.market_cap.unwrap().normalize().to_string(),
            "2874123500000"
        );
        assert!(matches!(
            parse_profile("ZZZZ", "{}"),
            Err(PriceError::UnknownSymbol(_))
        ));
    }

    #[test]
    fn quotes_keep_every_digit_and_zeros_mean_unknown() {
        let quote = parse_quote("AAPL", r#"{"c":189.98,"d":-1.02,"dp":-0.534,"h":191,"l":188.5,"o":190,"pc":191.0,"t":1704488400}"#).unwrap();
        assert_eq!(quote.price.to_string(), "189.98");
        assert_eq!(quote.change.unwrap().to_string(), "-1.02");
        assert_eq!(quote.time, Some(1_704_488_400));
        assert_eq!(quote.as_of.unwrap().to_string(), "2024-01-05");
        assert_eq!(quote.source, QuoteSource::Finnhub);
        let unknown = parse_quote(
            "ZZZZ",
            r#"{"c":0,"d":null,"dp":null,"h":0,"l":0,"o":0,"pc":0,"t":0}"#,
        );
        assert!(matches!(unknown, Err(PriceError::UnknownSymbol(_))));
        assert!(matches!(
            parse_quote("X", "<html>"),
            Err(PriceError::Unavailable(_))
        ));
    }

    #[test]
    fn london_quotes_in_pence_are_kept_in_pounds() {
        let quote = parse_quote(
            "VOD.L",
            r#"{"c":72.34,"d":-0.5,"dp":-0.686,"pc":72.84,"t":1704488400}"#,
        )
        .unwrap();
        assert_eq!(quote.price.to_string(), "0.7234");
        assert_eq!(quote.change.unwrap().to_string(), "-0.005");
        assert_eq!(quote.previous_close.unwrap().to_string(), "0.7284");
        assert_eq!(quote.percent_change.unwrap().to_string(), "-0.686");
        let euros = parse_quote("SAP.DE", r#"{"c":172.5,"t":1704488400}"#).unwrap();
        assert_eq!(euros.price.to_string(), "172.5");
    }
}
