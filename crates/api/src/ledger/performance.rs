//! Performance over a range, by the conventions of DESIGN.md ("Ledger"):
//!
//! - **Values at the close.** A day's value is every share held after that day's transactions
//!   at the day's close; a day without a close for a ticker takes its last close before it.
//!   Where no close is stored at all, the ledger's own latest BUY or SELL price of the ticker on
//!   or before the day stands in (a trade is an observed price).
//! - **Flows at the close.** A BUY is money in (`quantity × price + fee`) on its date; a SELL's
//!   proceeds (`quantity × price − fee`) and a DIVIDEND's amount are money out on theirs.
//! - **Time-weighted return** chains daily returns `r_d = (V_d − in_d + out_d) / V_{d−1} − 1`;
//!   a day that starts from nothing has `r_d = (V_d + out_d) / in_d − 1`; a day that starts
//!   from nothing and puts nothing in has no return (`r_d = 0`). The start value `V_{from−1}`
//!   is the value at the close before `from`.
//! - **Money-weighted return** is the annualised internal rate of return (actual/365) of the
//!   start value as money in at `from`, each flow on its date, and the end value as money out
//!   at `to`.
//! - **The benchmark's return** is its close on `to` over its close on `from`, minus one.
//!
//! The days are the trading days of the range, every day a transaction falls on, and `to`.
//! The work is one pass: transactions and closes are walked in date order once, so a range
//! costs O(days × tickers held + transactions + closes).

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::Closes;
use super::{xirr, Event, Overflow, Trade};

#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub date: NaiveDate,
    pub value: Decimal,
    /// The time-weighted return from `from` to this day, as a fraction.
    pub twr: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Performance {
    pub start_value: Decimal,
    pub end_value: Decimal,
    /// Money in over the range.
    pub invested: Decimal,
    /// Money out over the range.
    pub withdrawn: Decimal,
    /// Fractions: `0.1976` is 19.76%. `None` when nothing was invested over the range.
    pub twr: Option<Decimal>,
    pub mwr: Option<f64>,
    pub benchmark_twr: Option<Decimal>,
    pub points: Vec<Point>,
}

/// What the caller asks for: the range, its trading days, and the benchmark's symbol.
pub struct Range<'a> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub trading_days: &'a [NaiveDate],
    pub benchmark: &'a str,
}

/// The performance of `trades` (in the ledger's order) over `range`, valued at `closes`.
pub fn measure(trades: &[Trade], closes: &Closes, range: &Range) -> Result<Performance, Overflow> {
    let mut walk = Walk::new(closes);
    let before_from = range
        .from
        .checked_sub_days(Days::new(1))
        .unwrap_or(range.from);
    let mut next = walk.apply_through(trades, 0, before_from)?.0;
    let start_value = walk.value_on(before_from)?;

    let mut days: Vec<NaiveDate> = range
        .trading_days
        .iter()
        .copied()
        .chain(
            trades
                .iter()
                .map(|trade| trade.date)
                .filter(|date| (range.from..=range.to).contains(date)),
        )
        .chain(std::iter::once(range.to))
        .filter(|date| (range.from..=range.to).contains(date))
        .collect();
    days.sort_unstable();
    days.dedup();

    let mut cash_flows = vec![(range.from, -to_f64(start_value))];
    let mut previous = start_value;
    let mut growth = Decimal::ONE;
    let mut measured = false;
    let (mut invested, mut withdrawn) = (Decimal::ZERO, Decimal::ZERO);
    let mut points = Vec::with_capacity(days.len());
    for day in days {
        let (after, money_in, money_out) = walk.apply_through(trades, next, day)?;
        for trade in &trades[next..after] {
            let flow = trade.flow()?;
            if !flow.money_in.is_zero() {
                cash_flows.push((trade.date, -to_f64(flow.money_in)));
            }
            if !flow.money_out.is_zero() {
                cash_flows.push((trade.date, to_f64(flow.money_out)));
            }
        }
        next = after;
        invested = invested.checked_add(money_in).ok_or(Overflow)?;
        withdrawn = withdrawn.checked_add(money_out).ok_or(Overflow)?;
        let value = walk.value_on(day)?;
        let factor = if !previous.is_zero() {
            Some(ratio(value - money_in + money_out, previous)?)
        } else if !money_in.is_zero() {
            Some(ratio(value + money_out, money_in)?)
        } else {
            None
        };
        if let Some(factor) = factor {
            growth = growth.checked_mul(factor).ok_or(Overflow)?;
            measured = true;
        }
        points.push(Point {
            date: day,
            value,
            twr: measured.then(|| growth - Decimal::ONE),
        });
        previous = value;
    }
    let end_value = previous;
    cash_flows.push((range.to, to_f64(end_value)));
    Ok(Performance {
        start_value,
        end_value,
        invested,
        withdrawn,
        twr: measured.then(|| growth - Decimal::ONE),
        mwr: xirr::xirr(&cash_flows),
        benchmark_twr: benchmark(closes, range)?,
        points,
    })
}

fn ratio(numerator: Decimal, denominator: Decimal) -> Result<Decimal, Overflow> {
    numerator.checked_div(denominator).ok_or(Overflow)
}

fn to_f64(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(f64::NAN)
}

fn benchmark(closes: &Closes, range: &Range) -> Result<Option<Decimal>, Overflow> {
    let series = closes.get(range.benchmark);
    let close_on = |day: NaiveDate| {
        series.and_then(|series| series.range(..=day).next_back().map(|(_, close)| *close))
    };
    match (close_on(range.from), close_on(range.to)) {
        (Some(first), Some(last)) if !first.is_zero() => {
            Ok(Some(ratio(last, first)? - Decimal::ONE))
        }
        _ => Ok(None),
    }
}

/// A ticker's closes in date order, read forward as the days advance.
struct Series<'a> {
    closes: Vec<(&'a NaiveDate, &'a Decimal)>,
    at: usize,
    /// The latest close on or before the last day asked about.
    current: Option<Decimal>,
}

impl<'a> Series<'a> {
    fn new(closes: Option<&'a BTreeMap<NaiveDate, Decimal>>) -> Self {
        Self {
            closes: closes.map(|c| c.iter().collect()).unwrap_or_default(),
            at: 0,
            current: None,
        }
    }

    fn advance_to(&mut self, day: NaiveDate) -> Option<Decimal> {
        while let Some((date, close)) = self.closes.get(self.at) {
            if **date > day {
                break;
            }
            self.current = Some(**close);
            self.at += 1;
        }
        self.current
    }
}

/// The shares held as transactions are applied in order, and their value on a day.
struct Walk<'a> {
    closes: &'a Closes,
    held: BTreeMap<(i64, &'a str), Decimal>,
    series: HashMap<&'a str, Series<'a>>,
    last_trade_price: HashMap<&'a str, Decimal>,
}

impl<'a> Walk<'a> {
    fn new(closes: &'a Closes) -> Self {
        Self {
            closes,
            held: BTreeMap::new(),
            series: HashMap::new(),
            last_trade_price: HashMap::new(),
        }
    }

    /// Applies `trades[from..]` dated on or before `day`; returns where it stopped and the
    /// money in and out of what it applied.
    fn apply_through(
        &mut self,
        trades: &'a [Trade],
        from: usize,
        day: NaiveDate,
    ) -> Result<(usize, Decimal, Decimal), Overflow> {
        let (mut money_in, mut money_out) = (Decimal::ZERO, Decimal::ZERO);
        let mut at = from;
        while let Some(trade) = trades.get(at).filter(|trade| trade.date <= day) {
            let flow = trade.flow()?;
            money_in = money_in.checked_add(flow.money_in).ok_or(Overflow)?;
            money_out = money_out.checked_add(flow.money_out).ok_or(Overflow)?;
            let held = self.held.entry((trade.account, &trade.ticker)).or_default();
            match trade.event {
                Event::Buy { quantity, .. } => {
                    *held = held.checked_add(quantity).ok_or(Overflow)?
                }
                Event::Sell { quantity, .. } => *held -= quantity,
                Event::Split { ratio } => *held = held.checked_mul(ratio).ok_or(Overflow)?,
                Event::Dividend { .. } => {}
            }
            if let Some(price) = trade.trade_price() {
                self.last_trade_price.insert(&trade.ticker, price);
            }
            at += 1;
        }
        Ok((at, money_in, money_out))
    }

    fn value_on(&mut self, day: NaiveDate) -> Result<Decimal, Overflow> {
        let mut value = Decimal::ZERO;
        for (&(_, ticker), &quantity) in &self.held {
            if quantity.is_zero() {
                continue;
            }
            let closes = self.closes;
            let close = self
                .series
                .entry(ticker)
                .or_insert_with(|| Series::new(closes.get(ticker)))
                .advance_to(day);
            let price = close
                .or_else(|| self.last_trade_price.get(ticker).copied())
                .unwrap_or_default();
            let part = quantity.checked_mul(price).ok_or(Overflow)?;
            value = value.checked_add(part).ok_or(Overflow)?;
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_ledgers::*;
    use super::*;
    use crate::domain::money::cents;

    fn closes(rows: &[(&str, &str, &str)]) -> Closes {
        let mut closes = Closes::new();
        for (symbol, date, close) in rows {
            closes
                .entry((*symbol).to_owned())
                .or_default()
                .insert(day(date), d(close));
        }
        closes
    }

    fn percent(fraction: Decimal) -> String {
        cents(fraction * Decimal::ONE_HUNDRED)
    }

    fn example_closes() -> Closes {
        closes(&[
            ("XYZ", "2024-01-02", "50.00"),
            ("XYZ", "2024-04-01", "55.00"),
            ("XYZ", "2024-07-01", "58.00"),
            ("XYZ", "2024-10-01", "54.00"),
            ("XYZ", "2024-12-31", "60.00"),
            ("SPY", "2024-01-02", "400.00"),
            ("SPY", "2024-12-31", "480.00"),
        ])
    }

    fn weekdays(from: &str, to: &str) -> Vec<NaiveDate> {
        day(from)
            .iter_days()
            .take_while(|date| *date <= day(to))
            .filter(|date| date.format("%u").to_string().parse::<u8>().unwrap() <= 5)
            .collect()
    }

    #[test]
    fn the_worked_example_gives_its_numbers_to_the_cent() {
        let days = weekdays("2024-01-02", "2024-12-31");
        let range = Range {
            from: day("2024-01-02"),
            to: day("2024-12-31"),
            trading_days: &days,
            benchmark: "SPY",
        };
        let result = measure(&worked_example(), &example_closes(), &range).unwrap();
        assert_eq!(result.start_value, Decimal::ZERO);
        assert_eq!(result.end_value, d("360"));
        assert_eq!(result.invested, d("502"));
        assert_eq!(result.withdrawn, d("232.20"));
        assert_eq!(percent(result.twr.unwrap()), "19.76");
        assert_eq!(
            cents(Decimal::try_from(result.mwr.unwrap() * 100.0).unwrap()),
            "23.11"
        );
        assert_eq!(percent(result.benchmark_twr.unwrap()), "20.00");
        let on = |date: &str| result.points.iter().find(|p| p.date == day(date)).unwrap();
        assert_eq!(on("2024-01-02").value, d("500"));
        assert_eq!(on("2024-05-15").value, d("550"), "the last close before it");
        assert_eq!(on("2024-07-01").value, d("348"));
        assert_eq!(percent(on("2024-12-31").twr.unwrap()), "19.76");
    }

    #[test]
    fn a_range_inside_the_ledger_starts_from_the_value_before_it() {
        let days = weekdays("2024-07-01", "2024-12-31");
        let range = Range {
            from: day("2024-07-01"),
            to: day("2024-12-31"),
            trading_days: &days,
            benchmark: "SPY",
        };
        let result = measure(&worked_example(), &example_closes(), &range).unwrap();
        assert_eq!(
            result.start_value,
            d("550"),
            "10 shares at the 2024-04-01 close"
        );
        assert_eq!(result.invested, Decimal::ZERO);
        assert_eq!(result.withdrawn, d("232.20"));
        // (348 + 231) / 550 × (324 + 1.20) / 348 × 360 / 324 − 1
        let want =
            d("579") / d("550") * (d("325.20") / d("348")) * (d("360") / d("324")) - Decimal::ONE;
        assert_eq!(percent(result.twr.unwrap()), percent(want));
        assert_eq!(
            percent(result.benchmark_twr.unwrap()),
            "20.00",
            "400 is SPY's last close before"
        );
    }

    #[test]
    fn twr_ignores_when_money_came_in_and_mwr_does_not() {
        // Price doubles, then halves. Early money: flat TWR; late money after the drop: same TWR.
        let prices = closes(&[
            ("AAA", "2024-01-02", "10"),
            ("AAA", "2024-06-03", "20"),
            ("AAA", "2024-12-02", "10"),
        ]);
        let days = weekdays("2024-01-02", "2024-12-31");
        let range = Range {
            from: day("2024-01-02"),
            to: day("2024-12-31"),
            trading_days: &days,
            benchmark: "SPY",
        };
        let early = measure(
            &[buy(1, "2024-01-02", "AAA", "10", "10", "0")],
            &prices,
            &range,
        )
        .unwrap();
        let late = measure(
            &[
                buy(1, "2024-01-02", "AAA", "10", "10", "0"),
                buy(2, "2024-06-03", "AAA", "10", "20", "0"),
            ],
            &prices,
            &range,
        )
        .unwrap();
        assert_eq!(early.twr, Some(Decimal::ZERO));
        assert_eq!(
            late.twr,
            Some(Decimal::ZERO),
            "the same price path, whatever was bought when"
        );
        assert!(
            late.mwr.unwrap() < -0.3,
            "buying at the top lost money: {:?}",
            late.mwr
        );
        assert!(early.mwr.unwrap().abs() < 1e-9);
        assert_eq!(late.benchmark_twr, None, "no SPY closes");
    }

    #[test]
    fn a_full_sale_and_a_later_rebuy_chain_through_the_empty_days() {
        let prices = closes(&[
            ("AAA", "2024-01-02", "10"),
            ("AAA", "2024-02-01", "11"),
            ("AAA", "2024-03-01", "9"),
            ("AAA", "2024-04-01", "12"),
        ]);
        let trades = [
            buy(1, "2024-01-02", "AAA", "10", "10", "0"),
            sell(2, "2024-02-01", "AAA", "10", "11", "0"),
            buy(3, "2024-03-01", "AAA", "5", "9", "0"),
        ];
        let days = weekdays("2024-01-02", "2024-04-01");
        let range = Range {
            from: day("2024-01-02"),
            to: day("2024-04-01"),
            trading_days: &days,
            benchmark: "SPY",
        };
        let result = measure(&trades, &prices, &range).unwrap();
        // 11/10 while held, nothing while empty, then 12/9 from the rebuy: 1.1 × 4/3 − 1.
        assert_eq!(percent(result.twr.unwrap()), "46.67");
        assert_eq!(result.end_value, d("60"));
        assert_eq!(result.invested, d("145"));
        assert_eq!(result.withdrawn, d("110"));
    }

    #[test]
    fn a_ticker_without_closes_is_valued_at_its_last_trade_price() {
        let trades = [
            buy(1, "2024-01-02", "ZZZ", "2", "10", "0"),
            sell(2, "2024-01-10", "ZZZ", "1", "15", "0"),
        ];
        let days = weekdays("2024-01-02", "2024-01-12");
        let range = Range {
            from: day("2024-01-02"),
            to: day("2024-01-12"),
            trading_days: &days,
            benchmark: "SPY",
        };
        let result = measure(&trades, &Closes::new(), &range).unwrap();
        assert_eq!(result.end_value, d("15"));
        assert_eq!(percent(result.twr.unwrap()), "50.00");
    }

    #[test]
    fn a_split_changes_the_share_count_and_nothing_else() {
        let prices = closes(&[
            ("AAA", "2024-01-02", "100"),
            ("AAA", "2024-06-10", "25"),
            ("AAA", "2024-06-11", "25"),
        ]);
        let trades = [
            buy(1, "2024-01-02", "AAA", "4", "100", "0"),
            split(2, "2024-06-10", "AAA", "4"),
        ];
        let days = weekdays("2024-01-02", "2024-06-11");
        let range = Range {
            from: day("2024-01-02"),
            to: day("2024-06-11"),
            trading_days: &days,
            benchmark: "SPY",
        };
        let result = measure(&trades, &prices, &range).unwrap();
        assert_eq!(result.end_value, d("400"));
        assert_eq!(result.twr, Some(Decimal::ZERO));
    }
}
