//! A portfolio at today's prices: each holding (an open lot of the ledger: what is left of one
//! BUY after sales and splits) with its market value, gain and day change, the totals, and the
//! allocation by ticker. Exact until shown (see `money`).
//!
//! Holdings without a price are listed with their cost and no market figures; they are left
//! out of the market totals (never counted as zero), and `unpriced` says how many there are.
//! The allocation is by market value when at least one holding is priced (over the priced
//! ones), else by cost.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use chrono::NaiveDate;

use crate::domain::money::{percent_of, Overflow};
use crate::ledger::lots::Book;
use crate::prices::Quote;

/// An open lot: shares still held from one BUY, and what they cost (fee included).
#[derive(Debug, Clone, PartialEq)]
pub struct Lot {
    /// The BUY's id.
    pub id: i64,
    pub ticker: String,
    pub shares: Decimal,
    pub cost: Decimal,
    pub buy: NaiveDate,
}

/// Every open lot of `book`, in the order they were bought.
pub fn open_lots(book: &Book) -> Vec<Lot> {
    let mut lots: Vec<Lot> = book
        .open
        .iter()
        .flat_map(|((_, ticker), lots)| {
            lots.iter().map(|lot| Lot {
                id: lot.buy_id,
                ticker: ticker.clone(),
                shares: lot.quantity,
                cost: lot.cost,
                buy: lot.bought,
            })
        })
        .collect();
    lots.sort_by_key(|lot| (lot.buy, lot.id));
    lots
}

/// A holding's figures; the market ones are `None` without a price.
#[derive(Debug, Clone, PartialEq)]
pub struct HoldingValue {
    pub lot: Lot,
    pub cost: Decimal,
    pub price: Option<Decimal>,
    pub market_value: Option<Decimal>,
    pub gain: Option<Decimal>,
    pub gain_percent: Option<Decimal>,
    pub day_change: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Totals {
    /// Of every holding.
    pub cost: Decimal,
    /// The rest are of the priced holdings only, `None` when none is priced.
    pub market_value: Option<Decimal>,
    pub gain: Option<Decimal>,
    /// The gain as a share of the priced holdings' cost.
    pub gain_percent: Option<Decimal>,
    pub day_change: Option<Decimal>,
    pub unpriced: usize,
}

/// One ticker's part of the portfolio.
#[derive(Debug, Clone, PartialEq)]
pub struct Slice {
    pub ticker: String,
    pub shares: Decimal,
    pub value: Decimal,
    pub percent: Option<Decimal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocationBasis {
    MarketValue,
    Cost,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Valuation {
    pub holdings: Vec<HoldingValue>,
    pub totals: Totals,
    pub allocation_basis: AllocationBasis,
    pub allocation: Vec<Slice>,
}

fn mul(a: Decimal, b: Decimal) -> Result<Decimal, Overflow> {
    a.checked_mul(b).ok_or(Overflow)
}

fn add(a: Decimal, b: Decimal) -> Result<Decimal, Overflow> {
    a.checked_add(b).ok_or(Overflow)
}

/// Values `lots` at `quotes` (by ticker; a missing one means no price).
pub fn value(lots: Vec<Lot>, quotes: &HashMap<String, Quote>) -> Result<Valuation, Overflow> {
    let mut holdings = Vec::with_capacity(lots.len());
    for lot in lots {
        let (shares, cost) = (lot.shares, lot.cost);
        let quote = quotes.get(&lot.ticker);
        let market_value = quote.map(|q| mul(shares, q.price)).transpose()?;
        let gain = market_value.map(|value| value - cost);
        let day_change = quote
            .and_then(|q| q.change)
            .map(|change| mul(shares, change))
            .transpose()?;
        holdings.push(HoldingValue {
            cost,
            price: quote.map(|q| q.price),
            market_value,
            gain,
            gain_percent: gain.and_then(|gain| percent_of(gain, cost)),
            day_change,
            lot,
        });
    }
    let totals = totals(&holdings)?;
    let (allocation_basis, allocation) = allocation(&holdings, totals.unpriced < holdings.len())?;
    Ok(Valuation {
        holdings,
        totals,
        allocation_basis,
        allocation,
    })
}

fn totals(holdings: &[HoldingValue]) -> Result<Totals, Overflow> {
    let mut cost = Decimal::ZERO;
    let mut priced_cost = Decimal::ZERO;
    let mut market_value: Option<Decimal> = None;
    let mut day_change: Option<Decimal> = None;
    let mut unpriced = 0;
    for holding in holdings {
        cost = add(cost, holding.cost)?;
        match holding.market_value {
            Some(value) => {
                priced_cost = add(priced_cost, holding.cost)?;
                market_value = Some(add(market_value.unwrap_or_default(), value)?);
            }
            None => unpriced += 1,
        }
        if let Some(change) = holding.day_change {
            day_change = Some(add(day_change.unwrap_or_default(), change)?);
        }
    }
    let gain = market_value.map(|value| value - priced_cost);
    Ok(Totals {
        cost,
        market_value,
        gain,
        gain_percent: gain.and_then(|gain| percent_of(gain, priced_cost)),
        day_change,
        unpriced,
    })
}

fn allocation(
    holdings: &[HoldingValue],
    by_market: bool,
) -> Result<(AllocationBasis, Vec<Slice>), Overflow> {
    let mut by_ticker: BTreeMap<&str, (Decimal, Decimal)> = BTreeMap::new();
    for holding in holdings {
        let value = if by_market {
            match holding.market_value {
                Some(value) => value,
                None => continue,
            }
        } else {
            holding.cost
        };
        let slot = by_ticker.entry(&holding.lot.ticker).or_default();
        *slot = (add(slot.0, holding.lot.shares)?, add(slot.1, value)?);
    }
    let mut whole = Decimal::ZERO;
    for (_, value) in by_ticker.values() {
        whole = add(whole, *value)?;
    }
    let mut slices: Vec<Slice> = by_ticker
        .into_iter()
        .map(|(ticker, (shares, value))| Slice {
            ticker: ticker.to_owned(),
            shares,
            value,
            percent: percent_of(value, whole),
        })
        .collect();
    // Largest first; the ticker orders equal ones.
    slices.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.ticker.cmp(&b.ticker)));
    let basis = if by_market {
        AllocationBasis::MarketValue
    } else {
        AllocationBasis::Cost
    };
    Ok((basis, slices))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn asset(id: i64, ticker: &str, shares: &str, costbasis: &str) -> Lot {
        Lot {
            id,
            ticker: ticker.into(),
            shares: d(shares),
            cost: d(shares) * d(costbasis),
            buy: NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
        }
    }

    fn quote(symbol: &str, price: &str, change: Option<&str>) -> (String, Quote) {
        let quote = Quote {
            symbol: symbol.into(),
            price: d(price),
            change: change.map(d),
            percent_change: None,
            previous_close: None,
            time: None,
            source: crate::prices::QuoteSource::Finnhub,
            as_of: None,
        };
        (symbol.into(), quote)
    }

    #[test]
    fn unpriced_holdings_are_listed_but_left_out_of_the_market_totals() {
        let quotes: HashMap<_, _> = [quote("AAA", "12.50", Some("-0.25"))].into();
        let valuation = value(
            vec![
                asset(1, "AAA", "3", "10.00"),
                asset(2, "ZZZ", "1", "5.00"),
                asset(3, "AAA", "1", "14.00"),
            ],
            &quotes,
        )
        .unwrap();
        let first = &valuation.holdings[0];
        assert_eq!(first.market_value, Some(d("37.50")));
        assert_eq!(first.gain, Some(d("7.50")));
        assert_eq!(first.gain_percent, Some(d("25")));
        assert_eq!(first.day_change, Some(d("-0.75")));
        assert_eq!(valuation.holdings[1].market_value, None);
        let totals = &valuation.totals;
        assert_eq!(totals.cost, d("49.00"));
        assert_eq!(totals.market_value, Some(d("50.00")));
        assert_eq!(
            totals.gain,
            Some(d("6.00")),
            "50.00 - (30 + 14) of the priced ones"
        );
        assert_eq!(totals.unpriced, 1);
        assert_eq!(valuation.allocation_basis, AllocationBasis::MarketValue);
        assert_eq!(valuation.allocation.len(), 1);
        assert_eq!(valuation.allocation[0].shares, d("4"));
        assert_eq!(valuation.allocation[0].percent, Some(d("100")));
    }

    #[test]
    fn without_prices_the_allocation_is_by_cost() {
        let valuation = value(
            vec![asset(1, "AAA", "1", "30"), asset(2, "BBB", "1", "10")],
            &HashMap::new(),
        )
        .unwrap();
        assert_eq!(valuation.totals.market_value, None);
        assert_eq!(valuation.allocation_basis, AllocationBasis::Cost);
        assert_eq!(valuation.allocation[0].ticker, "AAA");
        assert_eq!(valuation.allocation[0].percent, Some(d("75")));
    }

    #[test]
    fn figures_too_large_are_an_error_not_a_panic() {
        let huge = asset(1, "AAA", "99999999999999999999.99999", "99999999.99");
        assert_eq!(value(vec![huge; 10], &HashMap::new()), Err(Overflow));
    }
}
