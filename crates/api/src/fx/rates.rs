//! Daily rates held in memory for one conversion, and the rule that picks the rate of a day:
//! the latest observation on or before it, of the pair itself, its inverse, or a cross through
//! another currency (the ECB quotes everything against the euro), whichever is most recent.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::models::fx::FxRate;

/// Decimals a derived rate (an inverse or a cross) keeps.
const RATE_DECIMALS: u32 = 12;

/// No rate of a pair is known on or before a day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "No {from}→{to} exchange rate is known on or before {day}; import one with `api import-fx` \
     or set FX_PROVIDER=ecb."
)]
pub struct MissingRate {
    pub from: String,
    pub to: String,
    pub day: NaiveDate,
}

/// Rates by pair, then by day.
#[derive(Debug, Clone, Default)]
pub struct Rates {
    pairs: HashMap<(String, String), BTreeMap<NaiveDate, Decimal>>,
    /// Every currency of a pair, the euro first: what a cross may go through.
    pivots: Vec<String>,
}

/// A rate and the day it was observed (for a cross, its older leg's).
type Observed = (NaiveDate, Decimal);

impl Rates {
    pub fn new(rates: impl IntoIterator<Item = FxRate>) -> Self {
        let mut pairs: HashMap<(String, String), BTreeMap<NaiveDate, Decimal>> = HashMap::new();
        for rate in rates.into_iter().filter(|rate| rate.rate > Decimal::ZERO) {
            pairs
                .entry((rate.base, rate.quote))
                .or_default()
                .insert(rate.date, rate.rate);
        }
        let mut pivots: Vec<String> = pairs
            .keys()
            .flat_map(|(base, quote)| [base.clone(), quote.clone()])
            .collect();
        pivots.sort_by(|a, b| (a != "EUR", a).cmp(&(b != "EUR", b)));
        pivots.dedup();
        Self { pairs, pivots }
    }

    /// What 1 `from` is worth in `to` on `day`.
    pub fn rate(&self, from: &str, to: &str, day: NaiveDate) -> Result<Decimal, MissingRate> {
        if from == to {
            return Ok(Decimal::ONE);
        }
        let mut best = self.leg(from, to, day);
        let pivots = self
            .pivots
            .iter()
            .map(String::as_str)
            .filter(|pivot| *pivot != from && *pivot != to);
        for pivot in pivots {
            if let (Some((first_day, first)), Some((second_day, second))) =
                (self.leg(from, pivot, day), self.leg(pivot, to, day))
            {
                let observed = first_day.min(second_day);
                if best.is_none_or(|(day, _)| observed > day) {
                    if let Some(cross) = first.checked_mul(second) {
                        best = Some((observed, round(cross)));
                    }
                }
            }
        }
        best.map(|(_, rate)| rate).ok_or_else(|| MissingRate {
            from: from.to_owned(),
            to: to.to_owned(),
            day,
        })
    }

    /// The pair's own latest rate on or before `day`, or its inverse's.
    fn leg(&self, from: &str, to: &str, day: NaiveDate) -> Option<Observed> {
        let direct = self.latest(from, to, day);
        let inverse = self
            .latest(to, from, day)
            .and_then(|(day, rate)| Some((day, round(Decimal::ONE.checked_div(rate)?))));
        match (direct, inverse) {
            (Some(direct), Some(inverse)) if inverse.0 > direct.0 => Some(inverse),
            (Some(direct), _) => Some(direct),
            (None, inverse) => inverse,
        }
    }

    fn latest(&self, base: &str, quote: &str, day: NaiveDate) -> Option<Observed> {
        self.pairs
            .get(&(base.to_owned(), quote.to_owned()))?
            .range(..=day)
            .next_back()
            .map(|(day, rate)| (*day, *rate))
    }
}

fn round(rate: Decimal) -> Decimal {
    rate.round_dp_with_strategy(RATE_DECIMALS, RoundingStrategy::MidpointNearestEven)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn rate(base: &str, quote: &str, date: &str, rate: &str) -> FxRate {
        FxRate {
            base: base.into(),
            quote: quote.into(),
            date: day(date),
            rate: d(rate),
        }
    }

    fn ecb() -> Rates {
        Rates::new([
            rate("EUR", "USD", "2024-01-02", "1.10"),
            rate("EUR", "GBP", "2024-01-02", "0.80"),
            rate("EUR", "USD", "2024-01-05", "1.08"),
            rate("EUR", "GBP", "2024-01-05", "0.864"),
        ])
    }

    #[test]
    fn a_pair_its_inverse_and_the_same_currency() {
        let rates = ecb();
        assert_eq!(rates.rate("EUR", "USD", day("2024-01-02")), Ok(d("1.10")));
        assert_eq!(
            rates.rate("USD", "USD", day("1990-01-01")),
            Ok(Decimal::ONE)
        );
        // 1 / 1.08, to twelve places.
        assert_eq!(
            rates.rate("USD", "EUR", day("2024-01-05")),
            Ok(d("0.925925925926"))
        );
    }

    #[test]
    fn a_missing_day_takes_the_last_rate_before_it() {
        let rates = ecb();
        // The weekend and the days between take the rate before them.
        assert_eq!(rates.rate("EUR", "USD", day("2024-01-04")), Ok(d("1.10")));
        assert_eq!(rates.rate("EUR", "USD", day("2024-01-07")), Ok(d("1.08")));
        // Before any rate there is none.
        let missing = rates.rate("EUR", "USD", day("2024-01-01")).unwrap_err();
        assert!(missing.to_string().contains("EUR→USD"));
        assert_eq!(missing.day, day("2024-01-01"));
        assert!(rates.rate("EUR", "CHF", day("2024-01-05")).is_err());
    }

    #[test]
    fn other_pairs_cross_through_the_euro() {
        let rates = ecb();
        // GBP→USD = (GBP→EUR) × (EUR→USD) = 1.08 / 0.864 = 1.25.
        assert_eq!(
            rates.rate("GBP", "USD", day("2024-01-05")),
            Ok(d("1.250000000000"))
        );
        // USD→GBP = 0.80 / 1.10 on the 2nd.
        assert_eq!(
            rates.rate("USD", "GBP", day("2024-01-03")),
            Ok(d("0.727272727273"))
        );
    }

    #[test]
    fn the_most_recent_observation_wins_over_a_stale_direct_rate() {
        let mut all = vec![rate("GBP", "USD", "2023-06-01", "1.20")];
        all.extend(ecb().pairs.into_iter().flat_map(|((base, quote), days)| {
            days.into_iter().map(move |(date, value)| FxRate {
                base: base.clone(),
                quote: quote.clone(),
                date,
                rate: value,
            })
        }));
        let rates = Rates::new(all);
        assert_eq!(
            rates.rate("GBP", "USD", day("2024-01-05")),
            Ok(d("1.250000000000"))
        );
        // Before the euro's rates, the imported one is all there is.
        assert_eq!(rates.rate("GBP", "USD", day("2023-12-01")), Ok(d("1.20")));
    }
}
