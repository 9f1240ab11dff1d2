//! Finnhub's quote endpoint (`GET /quote?symbol=…`), with timeouts, retries with exponential
//! backoff on rate limits and server errors, and a short cache per symbol.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use serde_json::Value;

use super::{PriceError, PriceSource, Quote};

#[derive(Debug, Clone)]
pub struct FinnhubSettings {
    pub base_url: String,
    pub token: String,
    pub timeout: Duration,
    pub cache_for: Duration,
    pub retries: u32,
    pub first_backoff: Duration,
}

pub struct FinnhubClient {
    http: reqwest::Client,
    settings: FinnhubSettings,
    cache: Mutex<HashMap<String, (Instant, Quote)>>,
}

/// Longest wait honoured from a `Retry-After` header.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

impl FinnhubClient {
    pub fn new(settings: FinnhubSettings) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .user_agent(concat!("fattore-api/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| err.to_string())?;
        Ok(Self {
            http,
            settings,
            cache: Mutex::new(HashMap::new()),
        })
    }

    fn cached(&self, symbol: &str) -> Option<Quote> {
        let cache = self.cache.lock().expect("quote cache");
        cache
            .get(symbol)
            .filter(|(at, _)| at.elapsed() < self.settings.cache_for)
            .map(|(_, quote)| quote.clone())
    }

    async fn fetch(&self, symbol: &str) -> Result<Quote, PriceError> {
        let url = format!("{}/quote", self.settings.base_url.trim_end_matches('/'));
        let mut backoff = self.settings.first_backoff;
        let mut last_error = String::new();
        for attempt in 0..=self.settings.retries {
            if attempt > 0 {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            let response = self
                .http
                .get(&url)
                .query(&[("symbol", symbol)])
                .header("X-Finnhub-Token", &self.settings.token)
                .send()
                .await;
            let response = match response {
                Ok(response) => response,
                Err(err) => {
                    last_error = if err.is_timeout() {
                        "timed out".into()
                    } else {
                        err.to_string()
                    };
                    log::warn!(
                        "finnhub quote {symbol}: {last_error} (attempt {})",
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
                    "finnhub quote {symbol}: {last_error} (attempt {})",
                    attempt + 1
                );
                continue;
            }
            if !status.is_success() {
                return Err(PriceError::Unavailable(format!(
                    "Finnhub answered HTTP {status}"
                )));
            }
            let body = response
                .text()
                .await
                .map_err(|err| PriceError::Unavailable(err.to_string()))?;
            return parse_quote(symbol, &body);
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

/// Finnhub's `{"c": current, "d": change, "dp": percent, "pc": previous close, "t": time, …}`;
/// an unknown symbol comes back as all zeros.
fn parse_quote(symbol: &str, body: &str) -> Result<Quote, PriceError> {
    let value: Value = serde_json::from_str(body)
        .map_err(|err| PriceError::Unavailable(format!("bad quote JSON: {err}")))?;
    let decimal = |key: &str| -> Option<Decimal> {
        let number = value.get(key)?.as_number()?.to_string();
        Decimal::from_str_exact(&number)
            .or_else(|_| Decimal::from_scientific(&number))
            .ok()
    };
    let price = decimal("c")
        .filter(|price| *price > Decimal::ZERO)
        .ok_or_else(|| PriceError::UnknownSymbol(symbol.to_owned()))?;
    Ok(Quote {
        symbol: symbol.to_owned(),
        price,
        change: decimal("d"),
        percent_change: decimal("dp"),
        previous_close: decimal("pc"),
        time: value.get("t").and_then(Value::as_i64),
    })
}

impl PriceSource for FinnhubClient {
    async fn quote(&self, symbol: &str) -> Result<Quote, PriceError> {
        if let Some(quote) = self.cached(symbol) {
            return Ok(quote);
        }
        let quote = self.fetch(symbol).await?;
        self.cache
            .lock()
            .expect("quote cache")
            .insert(symbol.to_owned(), (Instant::now(), quote.clone()));
        Ok(quote)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_keep_every_digit_and_zeros_mean_unknown() {
        let quote = parse_quote("AAPL", r#"{"c":189.98,"d":-1.02,"dp":-0.534,"h":191,"l":188.5,"o":190,"pc":191.0,"t":1704488400}"#).unwrap();
        assert_eq!(quote.price.to_string(), "189.98");
        assert_eq!(quote.change.unwrap().to_string(), "-1.02");
        assert_eq!(quote.time, Some(1_704_488_400));
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
}
