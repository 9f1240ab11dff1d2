//! Scoring with exact decimals: percent changes, competition ranks, and user scores.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds to cents of a percent, half to even, always written with two places (`10.00`).
fn round2(value: Decimal) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
    rounded.rescale(2);
    rounded
}

/// `(end - start) / start * 100`, rounded half-even to 2 places. Multiplying before dividing
/// keeps the quotient exact wherever it terminates.
pub fn percent_change(start: Decimal, end: Decimal) -> Decimal {
    round2((end - start) * Decimal::ONE_HUNDRED / start)
}

/// Competition ranks ("1224"): 1 is the highest value, equal values share a rank and the next
/// rank skips accordingly. Returns ranks in the input order.
pub fn competition_ranks(values: &[Decimal]) -> Vec<u32> {
    values
        .iter()
        .map(|value| 1 + values.iter().filter(|other| *other > value).count() as u32)
        .collect()
}

/// The mean of a user's pick results for one week.
pub fn weekly_score(changes: &[Decimal]) -> Option<Decimal> {
    if changes.is_empty() {
        return None;
    }
    let sum: Decimal = changes.iter().sum();
    Some(round2(sum / Decimal::from(changes.len())))
}

/// A user's all-time standing from their weekly scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub total: Decimal,
    pub average: Decimal,
    pub weeks_played: u32,
}

pub fn all_time<K: Ord + Clone>(weekly: &[(K, Decimal)]) -> BTreeMap<K, Standing> {
    let mut grouped: BTreeMap<K, Vec<Decimal>> = BTreeMap::new();
    for (user, score) in weekly {
        grouped.entry(user.clone()).or_default().push(*score);
    }
    grouped
        .into_iter()
        .map(|(user, scores)| {
            let total: Decimal = scores.iter().sum();
            let weeks = scores.len() as u32;
            let standing = Standing {
                total,
                average: round2(total / Decimal::from(weeks)),
                weeks_played: weeks,
            };
            (user, standing)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn percent_changes_are_exact_and_round_half_even() {
        assert_eq!(percent_change(d("100"), d("110")).to_string(), "10.00");
        assert_eq!(percent_change(d("200"), d("150")), d("-25.00"));
        assert_eq!(percent_change(d("3"), d("4")), d("33.33"));
        // 0.125% and 0.375% sit exactly on the midpoint: half-even goes to 0.12 and 0.38.
        assert_eq!(percent_change(d("800"), d("801")), d("0.12"));
        assert_eq!(percent_change(d("800"), d("803")), d("0.38"));
        assert_eq!(percent_change(d("0.1"), d("0.3")), d("200.00"));
    }

    #[test]
    fn ties_share_a_rank_and_the_next_rank_skips() {
        let ranks = competition_ranks(&[d("5"), d("10"), d("5"), d("-1"), d("10")]);
        assert_eq!(ranks, vec![3, 1, 3, 5, 1]);
    }

    #[test]
    fn user_scores_are_means_of_their_picks() {
        assert_eq!(
            weekly_score(&[d("10.00"), d("-5.00"), d("0.01")]),
            Some(d("1.67"))
        );
        assert_eq!(weekly_score(&[]), None);
        let standings = all_time(&[("ann", d("10")), ("ann", d("-4")), ("bob", d("1"))]);
        assert_eq!(
            standings["ann"],
            Standing {
                total: d("6"),
                average: d("3.00"),
                weeks_played: 2
            }
        );
        assert_eq!(standings["bob"].weeks_played, 1);
    }
}
