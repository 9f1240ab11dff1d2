//! A ledger, its closes and its prices in another currency, so that the ledger's arithmetic
//! (lots, positions, performance) runs unchanged in whatever currency a report is in:
//! - each transaction's amounts (price, fee, dividend) convert at the rate of its own day:
//!   money moved then, at that day's worth;
//! - each close converts at the rate of its day, and a latest price at the rate of the day
//!   it is of: values at the valuation day's rate.
//!
//! A ticker's closes and prices are in its listing currency (`Ticker::listing_currency`).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::rates::{MissingRate, Rates};
use crate::ledger::{Closes, Overflow, Trade};

#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error(transparent)]
    Missing(#[from] MissingRate),
    #[error(transparent)]
    Overflow(#[from] Overflow),
}

pub use crate::domain::listing_currency_of as listing_currency;

/// Every currency a report of `trades` (and of `also`, such as a benchmark) in `target`
/// touches: the target, each transaction's, and each ticker's listing currency.
pub fn currencies<'a>(
    trades: &[Trade],
    also: impl IntoIterator<Item = &'a str>,
    target: &str,
) -> BTreeSet<String> {
    let mut found = BTreeSet::from([target.to_owned()]);
    for trade in trades {
        found.insert(trade.currency.clone());
        found.insert(listing_currency(&trade.ticker).to_owned());
    }
    found.extend(
        also.into_iter()
            .map(|ticker| listing_currency(ticker).to_owned()),
    );
    found
}

/// A missing rate is the caller's data lacking something the server cannot make up: 409.
impl From<ConvertError> for crate::error::ApiError {
    fn from(err: ConvertError) -> Self {
        match err {
            ConvertError::Missing(missing) => {
                Self::conflict(missing.to_string(), "fx_rate_missing")
            }
            ConvertError::Overflow(overflow) => overflow.into(),
        }
    }
}

/// `trades` in `target`, each at its own day's rate.
pub fn trades_in(
    trades: &[Trade],
    target: &str,
    rates: &Rates,
) -> Result<Vec<Trade>, ConvertError> {
    trades_into(trades, |_| target, rates)
}

/// `trades` in each ticker's listing currency: the position's own figures.
pub fn trades_in_listing(trades: &[Trade], rates: &Rates) -> Result<Vec<Trade>, ConvertError> {
    trades_into(trades, |trade| listing_currency(&trade.ticker), rates)
}

fn trades_into<'a>(
    trades: &'a [Trade],
    target: impl Fn(&'a Trade) -> &'a str,
    rates: &Rates,
) -> Result<Vec<Trade>, ConvertError> {
    trades
        .iter()
        .map(|trade| {
            let to = target(trade);
            if trade.currency == to {
                return Ok(trade.clone());
            }
            let rate = rates.rate(&trade.currency, to, trade.date)?;
            Ok(Trade {
                event: trade.event.converted(rate)?,
                currency: to.to_owned(),
                ..trade.clone()
            })
        })
        .collect()
}

/// `closes` in `target`, each at its day's rate.
pub fn closes_in(closes: &Closes, target: &str, rates: &Rates) -> Result<Closes, ConvertError> {
    let mut converted = Closes::new();
    for (symbol, by_day) in closes {
        let from = listing_currency(symbol);
        let mut days = by_day.clone();
        if from != target {
            for (day, close) in days.iter_mut() {
                *close = price_in(*close, from, target, *day, rates)?;
            }
        }
        converted.insert(symbol.clone(), days);
    }
    Ok(converted)
}

/// `price` (in `from`) in `to`, at `day`'s rate.
pub fn price_in(
    price: Decimal,
    from: &str,
    to: &str,
    day: NaiveDate,
    rates: &Rates,
) -> Result<Decimal, ConvertError> {
    let rate = rates.rate(from, to, day)?;
    Ok(price.checked_mul(rate).ok_or(Overflow)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::lots::Book;
    use crate::ledger::positions::positions;
    use crate::ledger::test_ledgers::{buy, d, day, dividend, sell};
    use crate::models::fx::FxRate;

    fn rates() -> Rates {
        let rate = |date: &str, quote: &str, value: &str| FxRate {
            base: "EUR".into(),
            quote: quote.into(),
            date: day(date),
            rate: d(value),
        };
        Rates::new([
            rate("2024-01-02", "USD", "1.10"),
            rate("2024-01-02", "GBP", "0.85"),
            rate("2024-06-03", "USD", "1.08"),
            rate("2024-06-03", "GBP", "0.85"),
        ])
    }

    fn in_eur(mut trade: Trade) -> Trade {
        trade.currency = "EUR".into();
        trade
    }

    #[test]
    fn a_euro_buy_valued_in_dollars_later_splits_into_price_and_currency() {
        // 10 SAP.DE at 100 EUR on 2 January (1 EUR = 1.10 USD), worth 120 EUR on 3 June
        // (1 EUR = 1.08 USD).
        let trades = [in_eur(buy(1, "2024-01-02", "SAP.DE", "10", "100", "0"))];
        let rates = rates();
        let in_usd = trades_in(&trades, "USD", &rates).unwrap();
        let price = price_in(d("120"), "EUR", "USD", day("2024-06-03"), &rates).unwrap();
        let book = Book::replay(&in_usd).unwrap();
        let (list, _) = positions(&book, &[("SAP.DE".to_owned(), price)].into()).unwrap();
        // Cost 1000 EUR at 1.10 = 1100 USD; value 1200 EUR at 1.08 = 1296 USD.
        assert_eq!(list[0].cost, d("1100"));
        assert_eq!(list[0].market_value, Some(d("1296")));
        assert_eq!(list[0].unrealized_gain, Some(d("196")));
        // In its own currency the gain is 200 EUR, worth 216 USD now: the price effect; the
        // euro fell from 1.10 to 1.08 on the 1000 EUR cost: a currency effect of −20 USD.
        let local = Book::replay(&trades_in_listing(&trades, &rates).unwrap()).unwrap();
        let (own, _) = positions(&local, &[("SAP.DE".to_owned(), d("120"))].into()).unwrap();
        assert_eq!(own[0].cost, d("1000"));
        assert_eq!(own[0].unrealized_gain, Some(d("200")));
    }

    #[test]
    fn flows_convert_at_their_own_days_rate() {
        let trades = [
            in_eur(buy(1, "2024-01-02", "SAP.DE", "10", "100", "2")),
            in_eur(sell(2, "2024-06-03", "SAP.DE", "4", "120", "1")),
            in_eur(dividend(3, "2024-06-04", "SAP.DE", "5")),
        ];
        let in_usd = trades_in(&trades, "USD", &rates()).unwrap();
        assert_eq!(in_usd[0].flow().unwrap().money_in, d("1102.20"));
        assert_eq!(in_usd[1].flow().unwrap().money_out, d("517.32"));
        // The 4th has no rate of its own: the 3rd's.
        assert_eq!(in_usd[2].flow().unwrap().money_out, d("5.40"));
        assert!(in_usd.iter().all(|trade| trade.currency == "USD"));
        // A dollar ledger in dollars is itself.
        let dollars = [buy(4, "2024-01-02", "SPY", "1", "470", "0")];
        assert_eq!(
            trades_in(&dollars, "USD", &Rates::default()).unwrap(),
            dollars
        );
    }

    #[test]
    fn closes_convert_from_the_listing_currency_and_a_missing_rate_is_named() {
        let closes: Closes = [
            (
                "VOD.L".to_owned(),
                [(day("2024-06-03"), d("0.7234"))].into(),
            ),
            ("SPY".to_owned(), [(day("2024-06-03"), d("530"))].into()),
        ]
        .into();
        let in_eur = closes_in(&closes, "EUR", &rates()).unwrap();
        // 0.7234 GBP at 1 / 0.85 EUR per pound.
        assert_eq!(
            in_eur["VOD.L"][&day("2024-06-03")].round_dp(6),
            d("0.851059")
        );
        assert_eq!(
            in_eur["SPY"][&day("2024-06-03")].round_dp(6),
            d("490.740741")
        );
        let early: Closes = [("SPY".to_owned(), [(day("2023-12-29"), d("475"))].into())].into();
        match closes_in(&early, "EUR", &rates()) {
            Err(ConvertError::Missing(missing)) => {
                assert_eq!((missing.from.as_str(), missing.to.as_str()), ("USD", "EUR"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_currencies_a_report_needs() {
        let trades = [
            in_eur(buy(1, "2024-01-02", "VOD.L", "1", "1", "0")),
            buy(2, "2024-01-02", "SPY", "1", "1", "0"),
        ];
        let wanted = currencies(&trades, ["7203.T"], "CHF");
        assert_eq!(
            wanted.into_iter().collect::<Vec<_>>(),
            ["CHF", "EUR", "GBP", "JPY", "USD"]
        );
    }
}
