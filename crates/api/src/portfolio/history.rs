//! The portfolio's history, one point per trading day: its market value (each holding's
//! shares from its buy date on, at that day's close), the money invested so far, and what the
//! same money would be worth had each buy gone into the benchmark on the same day instead.
//!
//! A day without a close (a gap in the provider's data) takes the latest close before it. A
//! point whose value needs a close that is not known at all has no value (never zero).
//! Benchmark units are `cost × close(day) / close(buy day)`, multiplied before dividing so the
//! figure is exact wherever the quotient terminates (otherwise to 28 significant digits).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::money::Overflow;
use crate::models::asset::Asset;
use crate::prices::Closes;

#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub date: NaiveDate,
    pub value: Option<Decimal>,
    pub invested: Decimal,
    pub benchmark_value: Option<Decimal>,
}

/// The close of `symbol` on `day`, or the latest one before it.
fn close_on(closes: &Closes, symbol: &str, day: NaiveDate) -> Option<Decimal> {
    closes
        .get(symbol)?
        .range(..=day)
        .next_back()
        .map(|(_, close)| *close)
}

/// Adds up `parts`: `Ok(None)` when one is unknown, `Err` when one or the sum overflows.
fn total(
    parts: impl Iterator<Item = Result<Option<Decimal>, Overflow>>,
) -> Result<Option<Decimal>, Overflow> {
    let mut sum = Some(Decimal::ZERO);
    for part in parts {
        sum = match (sum, part?) {
            (Some(sum), Some(part)) => Some(sum.checked_add(part).ok_or(Overflow)?),
            _ => None,
        };
    }
    Ok(sum)
}

/// The points for `days` (trading days, in order) of a portfolio of `assets`.
pub fn points(
    assets: &[Asset],
    days: &[NaiveDate],
    closes: &Closes,
    benchmark: &str,
) -> Result<Vec<Point>, Overflow> {
    let costs: Vec<Decimal> = assets
        .iter()
        .map(|a| a.shares.0.checked_mul(a.costbasis.0).ok_or(Overflow))
        .collect::<Result<_, _>>()?;
    let bought_at: Vec<Option<Decimal>> = assets
        .iter()
        .map(|a| close_on(closes, benchmark, a.buy))
        .collect();
    days.iter()
        .map(|&day| {
            let held = || (0..assets.len()).filter(move |&i| assets[i].buy <= day);
            let invested = total(held().map(|i| Ok(Some(costs[i]))))?.unwrap_or_default();
            let value = total(held().map(|i| {
                close_on(closes, &assets[i].ticker, day)
                    .map(|close| assets[i].shares.0.checked_mul(close).ok_or(Overflow))
                    .transpose()
            }))?;
            let benchmark_close = close_on(closes, benchmark, day);
            let benchmark_value = total(held().map(|i| {
                match (benchmark_close, bought_at[i]) {
                    (Some(now), Some(then)) => costs[i]
                        .checked_mul(now)
                        .and_then(|grown| grown.checked_div(then))
                        .ok_or(Overflow)
                        .map(Some),
                    _ => Ok(None),
                }
            }))?;
            Ok(Point {
                date: day,
                value,
                invested,
                benchmark_value,
            })
        })
        .collect()
}
