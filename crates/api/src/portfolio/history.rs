//! The portfolio's history, one point per trading day, from the ledger: its market value (the
//! performance walk's value at each day's close, see `ledger::performance`), what the shares
//! still held cost (their open lots' cost), and what that same money would be worth had each
//! open lot gone into the benchmark on its buy day instead (`cost × close(day) /
//! close(buy day)`, multiplied before dividing so the figure is exact wherever the quotient
//! terminates). A sale takes its lots' benchmark shares with it, as it takes their cost.
//!
//! A day without a benchmark close takes the latest close before it; a lot whose buy day has
//! no benchmark close at all leaves the benchmark figure unknown (never zero).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::ledger::lots::{Book, LedgerError};
use crate::ledger::performance::{self, Range};
use crate::ledger::{Overflow, Trade};
use crate::prices::Closes;

#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub date: NaiveDate,
    pub value: Option<Decimal>,
    pub invested: Decimal,
    pub benchmark_value: Option<Decimal>,
}

fn close_on(series: Option<&BTreeMap<NaiveDate, Decimal>>, day: NaiveDate) -> Option<Decimal> {
    series?.range(..=day).next_back().map(|(_, close)| *close)
}

/// The points for `days` (trading days, in order) of `trades` (in the ledger's order).
pub fn points(
    trades: &[Trade],
    days: &[NaiveDate],
    closes: &Closes,
    benchmark: &str,
) -> Result<Vec<Point>, LedgerError> {
    let (Some(&first), Some(&last)) = (days.first(), days.last()) else {
        return Ok(Vec::new());
    };
    let walked = performance::measure(
        trades,
        closes,
        &Range {
            from: first,
            to: last,
            trading_days: days,
            benchmark,
        },
    )?;
    let values: HashMap<NaiveDate, Decimal> = walked
        .points
        .into_iter()
        .map(|point| (point.date, point.value))
        .collect();
    let series = closes.get(benchmark);
    // Each lot's benchmark close on its buy day, looked up once rather than once a day.
    let mut bought_at: HashMap<i64, Option<Decimal>> = HashMap::new();
    let mut book = Book::default();
    let mut next = 0;
    let mut points = Vec::with_capacity(days.len());
    for &day in days {
        while let Some(trade) = trades.get(next).filter(|trade| trade.date <= day) {
            book.apply(trade)?;
            next += 1;
        }
        let now = close_on(series, day);
        let mut invested = Decimal::ZERO;
        let mut benchmark_value = Some(Decimal::ZERO);
        for lot in book.open.values().flatten() {
            invested = invested.checked_add(lot.cost).ok_or(Overflow)?;
            let then = *bought_at
                .entry(lot.buy_id)
                .or_insert_with(|| close_on(series, lot.bought));
            benchmark_value = match (benchmark_value, now, then) {
                (Some(sum), Some(now), Some(then)) if !then.is_zero() => Some(
                    lot.cost
                        .checked_mul(now)
                        .and_then(|grown| grown.checked_div(then))
                        .and_then(|part| sum.checked_add(part))
                        .ok_or(Overflow)?,
                ),
                _ => None,
            };
        }
        points.push(Point {
            date: day,
            value: values.get(&day).copied(),
            invested,
            benchmark_value,
        });
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::test_ledgers::*;

    #[test]
    fn a_sale_takes_its_cost_and_its_benchmark_shares_with_it() {
        let closes: Closes = [
            (
                "XYZ".to_owned(),
                [(day("2024-01-02"), d("50")), (day("2024-07-01"), d("58"))].into(),
            ),
            (
                "SPY".to_owned(),
                [(day("2024-01-02"), d("400")), (day("2024-07-01"), d("440"))].into(),
            ),
        ]
        .into();
        let days = [day("2024-01-02"), day("2024-07-01")];
        let points = points(&worked_example(), &days, &closes, "SPY").unwrap();
        assert_eq!(points[0].value, Some(d("500")));
        assert_eq!(points[0].invested, d("502.00"));
        assert_eq!(points[0].benchmark_value, Some(d("502.00")));
        assert_eq!(points[1].value, Some(d("348")));
        assert_eq!(points[1].invested, d("301.20"), "6 of the 10 shares' 502");
        assert_eq!(
            points[1].benchmark_value,
            Some(d("331.32")),
            "301.20 × 440 / 400"
        );
    }
}
