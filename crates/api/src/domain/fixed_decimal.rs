use std::fmt;

use rust_decimal::Decimal;

/// A non-negative exact decimal with at most `INT` digits before the point and `DP` after it,
/// always carried at scale `DP` (`1.5` shares is `1.50000`), like a `NUMERIC(INT + DP, DP)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedDecimal<const INT: u32, const DP: u32>(Decimal);

/// Shares held: the original `NUMERIC(25, 5)`.
pub type Shares = FixedDecimal<20, 5>;
/// Money per share: the original `NUMERIC(10, 2)`.
pub type CostBasis = FixedDecimal<8, 2>;

const NOT_A_NUMBER: &str = "A valid number is required.";

impl<const INT: u32, const DP: u32> FixedDecimal<INT, DP> {
    /// Parses decimal text such as `"12.5"`, `"-0"` or `"1.5e2"`, digit for digit, never via
    /// floating point: an exponent only moves the point, so `"1.5e2"` is exactly 150 and
    /// `"1e30"` is a number with too many digits, not an unreadable one.
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::from_digits(Digits::parse(raw.trim()).ok_or(NOT_A_NUMBER)?)
    }

    pub fn from_decimal(value: Decimal) -> Result<Self, String> {
        Self::from_digits(Digits::of(value))
    }

    /// DRF's `DecimalField` checks, in its order: digits in total, decimal places, digits
    /// before the point (trailing zeros after the point do not count: `"1.500"` is `1.5`),
    /// then the sign.
    fn from_digits(digits: Digits) -> Result<Self, String> {
        const { assert!(INT + DP <= 28, "a Decimal holds 28 digits") };
        let (whole, places) = digits.counts();
        if whole + places > u64::from(INT + DP) {
            return Err(format!(
                "Ensure that there are no more than {} digits in total.",
                INT + DP
            ));
        }
        if places > u64::from(DP) {
            return Err(format!(
                "Ensure that there are no more than {DP} decimal places."
            ));
        }
        if whole > u64::from(INT) {
            return Err(format!(
                "Ensure that there are no more than {INT} digits before the decimal point."
            ));
        }
        if digits.negative && !digits.significant.is_empty() {
            return Err("Ensure this value is greater than or equal to 0.".into());
        }
        let mut value = digits.to_decimal();
        value.rescale(DP);
        Ok(Self(value))
    }

    pub fn value(self) -> Decimal {
        self.0
    }
}

/// A decimal as its significant digits (no leading or trailing zeros; none for zero) times a
/// power of ten, so its size can be judged before it is built.
struct Digits {
    negative: bool,
    significant: String,
    exponent: i64,
}

impl Digits {
    /// `[+-]digits[.digits][e[+-]digits]`, with digits on at least one side of the point.
    fn parse(raw: &str) -> Option<Self> {
        let (negative, unsigned) = split_sign(raw);
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], exponent(&unsigned[at + 1..])?),
            None => (unsigned, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if int.len() + frac.len() == 0 || !all_digits(int) || !all_digits(frac) {
            return None;
        }
        let frac_len = i64::try_from(frac.len()).ok()?;
        Some(Self::new(
            negative,
            format!("{int}{frac}"),
            exponent.saturating_sub(frac_len),
        ))
    }

    fn of(value: Decimal) -> Self {
        Self::new(
            value.is_sign_negative(),
            value.mantissa().unsigned_abs().to_string(),
            -i64::from(value.scale()),
        )
    }

    fn new(negative: bool, digits: String, exponent: i64) -> Self {
        let digits = digits.trim_start_matches('0');
        let significant = digits.trim_end_matches('0');
        let dropped = i64::try_from(digits.len() - significant.len()).unwrap_or(i64::MAX);
        Self {
            negative,
            significant: significant.to_owned(),
            exponent: if significant.is_empty() {
                0
            } else {
                exponent.saturating_add(dropped)
            },
        }
    }

    /// Digits before the point and after it, counted as DRF does (`0.012` has no digit before
    /// the point and three after).
    fn counts(&self) -> (u64, u64) {
        let len = self.significant.len() as u64;
        if self.exponent >= 0 {
            (len.saturating_add(self.exponent.unsigned_abs()), 0)
        } else {
            let places = self.exponent.unsigned_abs();
            (len.saturating_sub(places), places)
        }
    }

    /// The value, once `counts` showed it fits in 28 digits.
    fn to_decimal(&self) -> Decimal {
        let significant: i128 = self.significant.parse().unwrap_or(0);
        let shift = u32::try_from(self.exponent.unsigned_abs()).expect("at most 28 digits");
        if self.exponent >= 0 {
            Decimal::from_i128_with_scale(significant * 10i128.pow(shift), 0)
        } else {
            Decimal::from_i128_with_scale(significant, shift)
        }
    }
}

fn split_sign(raw: &str) -> (bool, &str) {
    match raw.as_bytes().first() {
        Some(b'-') => (true, &raw[1..]),
        Some(b'+') => (false, &raw[1..]),
        _ => (false, raw),
    }
}

/// An exponent's digits, saturating: `1e99999999999999999999` is simply too large.
fn exponent(raw: &str) -> Option<i64> {
    let (negative, digits) = split_sign(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.bytes().fold(0i64, |acc, digit| {
        acc.saturating_mul(10)
            .saturating_add(i64::from(digit - b'0'))
    });
    Some(if negative { -magnitude } else { magnitude })
}

impl<const INT: u32, const DP: u32> fmt::Display for FixedDecimal<INT, DP> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_digit_at_the_column_scale() {
        assert_eq!(Shares::parse("0.1").unwrap().to_string(), "0.10000");
        assert_eq!(
            Shares::parse("99999999999999999999.99999")
                .unwrap()
                .to_string(),
            "99999999999999999999.99999"
        );
        assert_eq!(
            CostBasis::parse("12345678.90").unwrap().to_string(),
            "12345678.90"
        );
        assert_eq!(CostBasis::parse("1.500").unwrap().to_string(), "1.50");
        assert_eq!(CostBasis::parse("1e2").unwrap().to_string(), "100.00");
        assert_eq!(CostBasis::parse("-0").unwrap().to_string(), "0.00");
        assert_eq!(Shares::parse("1.5e-1").unwrap().to_string(), "0.15000");
        assert_eq!(Shares::parse("25E2").unwrap().to_string(), "2500.00000");
    }

    #[test]
    fn exponents_only_move_the_point() {
        assert_eq!(CostBasis::parse("1.5e2").unwrap().to_string(), "150.00");
        assert_eq!(CostBasis::parse("+125E-2").unwrap().to_string(), "1.25");
        assert_eq!(CostBasis::parse("0e-99999").unwrap().to_string(), "0.00");
        assert_eq!(CostBasis::parse(".5").unwrap().to_string(), "0.50");
        assert_eq!(CostBasis::parse("5.").unwrap().to_string(), "5.00");
        assert_eq!(
            Shares::parse("1234567890123456789012345e-5")
                .unwrap()
                .to_string(),
            "12345678901234567890.12345"
        );
    }

    #[test]
    fn out_of_range_numbers_get_drfs_messages_in_drfs_order() {
        let total = "Ensure that there are no more than 10 digits in total.";
        let places = "Ensure that there are no more than 2 decimal places.";
        let whole = "Ensure that there are no more than 8 digits before the decimal point.";
        for (raw, message) in [
            ("1e30", total),
            ("1e400", total),
            ("1e99999999999999999999999", total),
            ("123456789.12", total),
            ("1.001", places),
            ("1e-3", places),
            ("123456789", whole),
            ("1e8", whole),
            ("-1e30", total),
            ("-1", "Ensure this value is greater than or equal to 0."),
        ] {
            assert_eq!(CostBasis::parse(raw).unwrap_err(), message, "{raw:?}");
        }
        assert_eq!(
            Shares::parse("100000000000000000000").unwrap_err(),
            "Ensure that there are no more than 20 digits before the decimal point."
        );
        assert_eq!(
            CostBasis::from_decimal("1.005".parse().unwrap()).unwrap_err(),
            places
        );
    }

    #[test]
    fn text_that_is_no_number_is_refused_as_such() {
        for bad in [
            "", " ", "abc", "1,5", "NaN", "inf", "0x10", "1.2.3", ".", "-", "e5", "1e", "1e+",
            "1_000", "--1", "1 000", "1e2.5",
        ] {
            assert_eq!(Shares::parse(bad).unwrap_err(), NOT_A_NUMBER, "{bad:?}");
        }
    }
}
