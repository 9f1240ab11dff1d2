//! A report in one currency: the caller's base currency, or the one a request names. The
//! ledger, its closes and its prices are converted into it (`fx::convert`: flows at their
//! day's rate, values at the valuation day's), and a foreign position's gain is split into
//! what its price did and what its currency did.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::fx::convert::{self, listing_currency, ConvertError};
use crate::fx::Rates;
use crate::ledger::{Closes, Overflow, Trade};
use crate::prices::Quote;

pub struct InCurrency {
    /// The ISO 4217 code figures are in.
    pub code: String,
    pub rates: Rates,
    /// The day a price that does not say its own is valued at.
    pub today: NaiveDate,
}

/// A gain split: `price` is the gain in the position's own currency, at the rate of the day it
/// is valued (or realized) at; `currency` is the rest, what the rate's move since each flow
/// added. They sum to the gain in the report's currency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effects {
    pub price: Decimal,
    pub currency: Decimal,
}

impl Effects {
    /// `gain` (in the report's currency) of a position whose own-currency gain is
    /// `local_gain`, at `rate` (1 own = rate report).
    pub fn split(gain: Decimal, local_gain: Decimal, rate: Decimal) -> Result<Self, Overflow> {
        let price = local_gain.checked_mul(rate).ok_or(Overflow)?;
        Ok(Self {
            price,
            currency: gain.checked_sub(price).ok_or(Overflow)?,
        })
    }
}

impl InCurrency {
    /// Whether `ticker` is listed in another currency than the report's.
    pub fn is_foreign(&self, ticker: &str) -> bool {
        listing_currency(ticker) != self.code
    }

    pub fn trades(&self, trades: &[Trade]) -> Result<Vec<Trade>, ConvertError> {
        convert::trades_in(trades, &self.code, &self.rates)
    }

    pub fn closes(&self, closes: &Closes) -> Result<Closes, ConvertError> {
        convert::closes_in(closes, &self.code, &self.rates)
    }

    /// What 1 of `ticker`'s listing currency is worth in the report's on `day`.
    pub fn rate_on(&self, ticker: &str, day: NaiveDate) -> Result<Decimal, ConvertError> {
        Ok(self.rates.rate(listing_currency(ticker), &self.code, day)?)
    }

    /// The rate `quote` of `ticker` is valued at: that of the day the price is of.
    pub fn valuation_rate(&self, ticker: &str, quote: &Quote) -> Result<Decimal, ConvertError> {
        self.rate_on(ticker, quote.as_of.unwrap_or(self.today))
    }

    /// `quotes` (by ticker, in their listing currency) in the report's: price, change and
    /// previous close at the valuation rate.
    pub fn quotes(
        &self,
        quotes: &HashMap<String, Quote>,
    ) -> Result<HashMap<String, Quote>, ConvertError> {
        quotes
            .iter()
            .map(|(ticker, quote)| {
                if !self.is_foreign(ticker) {
                    return Ok((ticker.clone(), quote.clone()));
                }
                let rate = self.valuation_rate(ticker, quote)?;
                let times = |value: Decimal| value.checked_mul(rate).ok_or(Overflow);
                Ok((
                    ticker.clone(),
                    Quote {
                        price: times(quote.price)?,
                        change: quote.change.map(times).transpose()?,
                        previous_close: quote.previous_close.map(times).transpose()?,
                        ..quote.clone()
                    },
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::test_ledgers::d;

    #[test]
    fn the_effects_sum_to_the_gain() {
        // 196 USD of gain; 200 EUR of it is the price's, at 1.08 now.
        let effects = Effects::split(d("196"), d("200"), d("1.08")).unwrap();
        assert_eq!(effects.price, d("216"));
        assert_eq!(effects.currency, d("-20"));
    }
}
