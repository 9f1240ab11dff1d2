//! A book's positions, one per ticker (summed over the accounts the book was replayed from):
//! the shares held, what they cost (what is left of their lots' cost), the average cost, and at
//! a price their market value and unrealized gain; with the ticker's realized gain and its
//! dividends. A ticker sold out stays listed, with quantity 0, for its realized gain and
//! dividends.
//!
//! Without a price the market figures are `None`, and the totals leave the position out of
//! them (never counted as zero); `unpriced` says how many positions that is.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::lots::Book;
use super::Overflow;

#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    pub ticker: String,
    pub quantity: Decimal,
    pub cost: Decimal,
    /// `None` when nothing is held.
    pub average_cost: Option<Decimal>,
    pub price: Option<Decimal>,
    pub market_value: Option<Decimal>,
    pub unrealized_gain: Option<Decimal>,
    pub realized_gain: Decimal,
    pub dividends: Decimal,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub cost: Decimal,
    pub market_value: Option<Decimal>,
    pub unrealized_gain: Option<Decimal>,
    pub realized_gain: Decimal,
    pub dividends: Decimal,
    /// Positions still held without a price.
    pub unpriced: usize,
}

#[derive(Debug, Default)]
struct Sums {
    quantity: Decimal,
    cost: Decimal,
    realized: Decimal,
    dividends: Decimal,
}

fn add(a: Decimal, b: Decimal) -> Result<Decimal, Overflow> {
    a.checked_add(b).ok_or(Overflow)
}

/// The positions of `book` at `prices` (by ticker), ordered by ticker, and their totals.
pub fn positions(
    book: &Book,
    prices: &HashMap<String, Decimal>,
) -> Result<(Vec<Position>, Totals), Overflow> {
    let mut sums: BTreeMap<&str, Sums> = BTreeMap::new();
    for ((_, ticker), lots) in book.open.iter().filter(|(_, lots)| !lots.is_empty()) {
        let entry = sums.entry(ticker).or_default();
        for lot in lots {
            entry.quantity = add(entry.quantity, lot.quantity)?;
            entry.cost = add(entry.cost, lot.cost)?;
        }
    }
    for lot in &book.realized {
        let entry = sums.entry(&lot.ticker).or_default();
        entry.realized = add(entry.realized, lot.gain())?;
    }
    for ((_, ticker), amount) in &book.dividends {
        let entry = sums.entry(ticker).or_default();
        entry.dividends = add(entry.dividends, *amount)?;
    }
    let mut totals = Totals::default();
    let mut list = Vec::with_capacity(sums.len());
    for (ticker, sums) in sums {
        let held = !sums.quantity.is_zero();
        let price = prices.get(ticker).copied();
        let market_value = price
            .map(|price| sums.quantity.checked_mul(price).ok_or(Overflow))
            .transpose()?;
        let unrealized_gain = market_value.map(|value| value - sums.cost);
        totals.cost = add(totals.cost, sums.cost)?;
        totals.realized_gain = add(totals.realized_gain, sums.realized)?;
        totals.dividends = add(totals.dividends, sums.dividends)?;
        match (market_value, unrealized_gain) {
            (Some(value), Some(gain)) => {
                totals.market_value = Some(add(totals.market_value.unwrap_or_default(), value)?);
                totals.unrealized_gain =
                    Some(add(totals.unrealized_gain.unwrap_or_default(), gain)?);
            }
            _ if held => totals.unpriced += 1,
            _ => {}
        }
        list.push(Position {
            ticker: ticker.to_owned(),
            quantity: sums.quantity,
            average_cost: if held {
                sums.cost.checked_div(sums.quantity)
            } else {
                None
            },
            cost: sums.cost,
            price,
            market_value,
            unrealized_gain,
            realized_gain: sums.realized,
            dividends: sums.dividends,
        });
    }
    Ok((list, totals))
}

#[cfg(test)]
mod tests {
    use super::super::test_ledgers::*;
    use super::*;

    #[test]
    fn the_worked_example_at_sixty() {
        let book = Book::replay(&worked_example()).unwrap();
        let prices = HashMap::from([("XYZ".to_owned(), d("60.00"))]);
        let (list, totals) = positions(&book, &prices).unwrap();
        let xyz = &list[0];
        assert_eq!(xyz.quantity, d("6"));
        assert_eq!(xyz.cost, d("301.20"));
        assert_eq!(xyz.average_cost, Some(d("50.20")));
        assert_eq!(xyz.market_value, Some(d("360")));
        assert_eq!(xyz.unrealized_gain, Some(d("58.80")));
        assert_eq!(xyz.realized_gain, d("30.20"));
        assert_eq!(xyz.dividends, d("1.20"));
        assert_eq!(totals.unrealized_gain, Some(d("58.80")));
        assert_eq!(totals.unpriced, 0);
    }

    #[test]
    fn a_sold_out_ticker_stays_listed_and_unpriced_ones_stay_out_of_market_totals() {
        let book = Book::replay(&[
            buy(1, "2024-01-02", "AAA", "2", "10", "0"),
            sell(2, "2024-02-01", "AAA", "2", "15", "0"),
            buy(3, "2024-01-02", "BBB", "1", "7", "0"),
            buy(4, "2024-01-02", "CCC", "1", "5", "0"),
        ])
        .unwrap();
        let prices = HashMap::from([("CCC".to_owned(), d("6"))]);
        let (list, totals) = positions(&book, &prices).unwrap();
        let tickers: Vec<_> = list.iter().map(|p| p.ticker.as_str()).collect();
        assert_eq!(tickers, ["AAA", "BBB", "CCC"]);
        assert_eq!(list[0].quantity, Decimal::ZERO);
        assert_eq!(list[0].average_cost, None);
        assert_eq!(list[0].realized_gain, d("10"));
        assert_eq!(list[1].market_value, None);
        assert_eq!(totals.cost, d("12"));
        assert_eq!(totals.market_value, Some(d("6")));
        assert_eq!(totals.unrealized_gain, Some(d("1")));
        assert_eq!(totals.unpriced, 1, "BBB; AAA is sold out, not unpriced");
    }
}
