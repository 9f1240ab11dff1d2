//! The demo's market: made-up companies whose daily closes follow a smooth, deterministic path
//! that ends at a fixed price on the last trading day, so a browser test's stub quotes agree
//! with the stored history. None of it is market data.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

/// How many trading days of closes the demo stores (a little over a year).
pub const TRADING_DAYS: usize = 300;

/// One symbol's path. `drift` is the yearly rise that led to today's price (negative: a fall),
/// `wiggle` the size of its swings; a split makes every close before it `ratio` times higher,
/// as unadjusted closes are.
pub struct Series {
    pub symbol: &'static str,
    pub last: f64,
    drift: f64,
    wiggle: f64,
    pace: f64,
    phase: f64,
    split: Option<(usize, u32)>,
}

/// The demo's symbols; `SPY` is the benchmark. `WIDG` split 4-for-1 [`WIDG_SPLIT`] trading
/// days ago.
pub const SERIES: [Series; 6] = [
    series("ACME", 182.40, 0.22, 0.05, 0.09, 0.3, None),
    series("WIDG", 48.75, 0.35, 0.07, 0.05, 1.1, Some((WIDG_SPLIT, 4))),
    series("GLBX", 96.10, 0.10, 0.04, 0.12, 2.0, None),
    series("BOLT", 23.80, -0.15, 0.06, 0.07, 0.5, None),
    series("NOVA", 311.00, 0.28, 0.05, 0.06, 2.7, None),
    series("SPY", 598.20, 0.16, 0.025, 0.08, 0.9, None),
];

pub const WIDG_SPLIT: usize = 150;

const fn series(
    symbol: &'static str,
    last: f64,
    drift: f64,
    wiggle: f64,
    pace: f64,
    phase: f64,
    split: Option<(usize, u32)>,
) -> Series {
    Series {
        symbol,
        last,
        drift,
        wiggle,
        pace,
        phase,
        split,
    }
}

impl Series {
    /// The close `back` trading days before the last one, to the cent.
    pub fn close(&self, back: usize) -> Decimal {
        let t = back as f64;
        let trend = 1.0 - self.drift * t / 252.0;
        let swing = 1.0 + self.wiggle * ((t * self.pace + self.phase).sin() - self.phase.sin());
        let split = match self.split {
            Some((at, ratio)) if back > at => f64::from(ratio),
            _ => 1.0,
        };
        Decimal::from_f64(self.last * trend * swing * split)
            .expect("a finite price")
            .round_dp(2)
    }
}

pub fn find(symbol: &str) -> &'static Series {
    SERIES
        .iter()
        .find(|series| series.symbol == symbol)
        .expect("a demo symbol")
}

/// The weekdays before `today`, newest first: index `back` is the day `back` trading days
/// before the last one.
pub fn trading_days(today: NaiveDate) -> Vec<NaiveDate> {
    let mut days = Vec::with_capacity(TRADING_DAYS);
    let mut day = today;
    while days.len() < TRADING_DAYS {
        day -= Duration::days(1);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            days.push(day);
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_ends_at_its_price_stays_positive_and_splits_once() {
        for series in &SERIES {
            assert_eq!(
                series.close(0),
                Decimal::from_f64(series.last).unwrap().round_dp(2)
            );
            assert!((0..TRADING_DAYS).all(|back| series.close(back) > Decimal::ZERO));
        }
        let widg = find("WIDG");
        let (after, before) = (widg.close(WIDG_SPLIT), widg.close(WIDG_SPLIT + 1));
        assert!(before > after * Decimal::from(3), "{before} {after}");
    }

    #[test]
    fn trading_days_skip_weekends_and_today() {
        let monday = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let days = trading_days(monday);
        assert_eq!(days[0], NaiveDate::from_ymd_opt(2026, 12, 4).unwrap());
        assert_eq!(days.len(), TRADING_DAYS);
        assert!(days.windows(2).all(|pair| pair[0] > pair[1]));
    }
}
