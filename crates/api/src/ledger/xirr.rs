//! The internal rate of return of dated cash flows, annualised on actual/365: the rate `r` at
//! which `Σ amount_i / (1 + r)^(days_i / 365) = 0`, `days_i` counted from the first flow's date.
//! Money paid in is negative, money received positive.
//!
//! Solved by Newton's method from 10%, falling back to bisection when Newton leaves the
//! domain or stalls; `None` when the flows have no root (all of one sign, or all on one day).

use chrono::NaiveDate;

const TOLERANCE: f64 = 1e-10;
const MAX_ITERATIONS: usize = 200;
/// The lowest rate considered: a loss of everything but a trace.
const FLOOR: f64 = -0.999_999_999;

/// The annual rate, as a fraction (`0.231` is 23.1%).
pub fn xirr(flows: &[(NaiveDate, f64)]) -> Option<f64> {
    let start = flows.iter().map(|(date, _)| *date).min()?;
    let dated: Vec<(f64, f64)> = flows
        .iter()
        .filter(|(_, amount)| *amount != 0.0)
        .map(|(date, amount)| ((*date - start).num_days() as f64 / 365.0, *amount))
        .collect();
    let has_in = dated.iter().any(|(_, amount)| *amount < 0.0);
    let has_out = dated.iter().any(|(_, amount)| *amount > 0.0);
    let spread = dated.iter().any(|(years, _)| *years > 0.0);
    if !(has_in && has_out && spread) {
        return None;
    }
    newton(&dated).or_else(|| bisection(&dated))
}

fn npv(flows: &[(f64, f64)], rate: f64) -> f64 {
    flows
        .iter()
        .map(|(years, amount)| amount / (1.0 + rate).powf(*years))
        .sum()
}

fn slope(flows: &[(f64, f64)], rate: f64) -> f64 {
    flows
        .iter()
        .map(|(years, amount)| -years * amount / (1.0 + rate).powf(years + 1.0))
        .sum()
}

fn newton(flows: &[(f64, f64)]) -> Option<f64> {
    let mut rate = 0.1;
    for _ in 0..MAX_ITERATIONS {
        let value = npv(flows, rate);
        let derivative = slope(flows, rate);
        if !derivative.is_normal() {
            return None;
        }
        let next = rate - value / derivative;
        if !next.is_finite() || next <= FLOOR {
            return None;
        }
        if (next - rate).abs() < TOLERANCE {
            return Some(next);
        }
        rate = next;
    }
    None
}

/// Widens an upper bound until the value changes sign, then halves the bracket.
fn bisection(flows: &[(f64, f64)]) -> Option<f64> {
    let mut low = FLOOR;
    let mut high = 1.0;
    let low_sign = npv(flows, low).signum();
    while npv(flows, high).signum() == low_sign {
        high *= 2.0;
        if high > 1e9 {
            return None;
        }
    }
    for _ in 0..MAX_ITERATIONS * 2 {
        let mid = (low + high) / 2.0;
        let value = npv(flows, mid);
        if value == 0.0 || (high - low) / 2.0 < TOLERANCE {
            return Some(mid);
        }
        if value.signum() == low_sign {
            low = mid;
        } else {
            high = mid;
        }
    }
    Some((low + high) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_year_at_ten_percent_is_ten_percent() {
        let rate = xirr(&[(day("2023-01-01"), -100.0), (day("2024-01-01"), 110.0)]).unwrap();
        assert!((rate - 0.1).abs() < 1e-9, "{rate}");
    }

    #[test]
    fn the_worked_example_is_23_11_percent() {
        let rate = xirr(&[
            (day("2024-01-02"), -502.0),
            (day("2024-07-01"), 231.0),
            (day("2024-10-01"), 1.2),
            (day("2024-12-31"), 360.0),
        ])
        .unwrap();
        assert!((rate * 100.0 - 23.1056).abs() < 0.0001, "{rate}");
    }

    #[test]
    fn losses_and_big_gains_are_found_too() {
        let loss = xirr(&[(day("2020-01-01"), -1000.0), (day("2022-01-01"), 10.0)]).unwrap();
        assert!(
            (loss - (0.01f64.powf(365.0 / 731.0) - 1.0)).abs() < 1e-6,
            "{loss}"
        );
        let gain = xirr(&[(day("2024-01-01"), -1.0), (day("2024-01-31"), 2.0)]).unwrap();
        assert!(
            (gain - (2f64.powf(365.0 / 30.0) - 1.0)).abs() / gain < 1e-6,
            "{gain}"
        );
    }

    #[test]
    fn flows_of_one_sign_or_one_day_have_no_rate() {
        assert_eq!(xirr(&[]), None);
        assert_eq!(
            xirr(&[(day("2024-01-01"), -1.0), (day("2024-02-01"), -1.0)]),
            None
        );
        assert_eq!(
            xirr(&[(day("2024-01-01"), -1.0), (day("2024-01-01"), 2.0)]),
            None
        );
    }
}
