//! The two rounding rules of the portfolio's figures, applied only when a figure is shown:
//! money to cents and percentages to hundredths of a percent, both half to even (banker's
//! rounding, as the game's scores are). Everything before that is exact.

use rust_decimal::{Decimal, RoundingStrategy};

/// The figures are too large to compute (beyond 28 significant digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the portfolio's figures are too large to compute exactly")]
pub struct Overflow;

/// `value` rounded half-even to two places and always written with two (`10.00`).
pub fn cents(value: Decimal) -> String {
    let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
    rounded.rescale(2);
    // A loss that rounds to nothing is no loss: never "-0.00".
    rounded.set_sign_positive(rounded.is_sign_positive() || rounded.is_zero());
    rounded.to_string()
}

/// An exact decimal (shares, prices) written with at least `places` decimals and no needless
/// trailing zeros beyond them: `10.5` shares at 5 places is `10.50000`, and so is `10.50000000`.
pub fn at_least(value: Decimal, places: u32) -> Decimal {
    let mut value = value.normalize();
    if value.scale() < places {
        value.rescale(places);
    }
    value
}

/// `part` as a percentage of `whole`, exact until shown (multiplying before dividing keeps it
/// exact wherever the quotient terminates); `None` when `whole` is zero or it overflows.
pub fn percent_of(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    part.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn money_rounds_half_to_even_only_when_shown() {
        assert_eq!(cents(d("2.345")), "2.34");
        assert_eq!(cents(d("2.355")), "2.36");
        assert_eq!(cents(d("-0.005")), "0.00");
        assert_eq!(cents(d("7")), "7.00");
        assert_eq!(percent_of(d("1"), d("8")), Some(d("12.5")));
        assert_eq!(cents(percent_of(d("1"), d("3")).unwrap()), "33.33");
        assert_eq!(percent_of(d("1"), Decimal::ZERO), None);
    }
}
