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
    /// Parses decimal text such as `"12.5"`, `"-0"` or `"1e3"`, never via floating point.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let plain = !raw.is_empty()
            && raw
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
        if !plain {
            return Err(NOT_A_NUMBER.into());
        }
        Self::from_decimal(parse_exact(raw).ok_or(NOT_A_NUMBER)?)
    }

    pub fn from_decimal(value: Decimal) -> Result<Self, String> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err("Ensure this value is greater than or equal to 0.".into());
        }
        let value = value.normalize();
        if value.scale() > DP {
            return Err(format!(
                "Ensure that there are no more than {DP} decimal places."
            ));
        }
        if value.trunc() >= Decimal::from_i128_with_scale(10i128.pow(INT), 0) {
            return Err(format!(
                "Ensure that there are no more than {INT} digits before the decimal point."
            ));
        }
        let mut value = value.abs();
        value.rescale(DP);
        Ok(Self(value))
    }

    pub fn value(self) -> Decimal {
        self.0
    }
}

/// Decimal text, with an optional exponent, as an exact value: `None` rather than rounding
/// when it has more digits than a decimal holds (28).
fn parse_exact(raw: &str) -> Option<Decimal> {
    let (mantissa, exponent) = match raw.find(['e', 'E']) {
        Some(at) => (&raw[..at], raw[at + 1..].parse::<i32>().ok()?),
        None => (raw, 0),
    };
    let mut value = Decimal::from_str_exact(mantissa).ok()?;
    if exponent >= 0 {
        for _ in 0..exponent.min(40) {
            value = value.checked_mul(Decimal::TEN)?;
        }
        (exponent <= 40).then_some(value)
    } else {
        let scale = value.scale().checked_add(exponent.unsigned_abs())?;
        value.set_scale(scale).ok()?;
        Some(value)
    }
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
    fn refuses_negative_too_precise_too_large_and_non_numbers() {
        assert!(Shares::parse("-1")
            .unwrap_err()
            .contains("greater than or equal to 0"));
        assert!(CostBasis::parse("1.001")
            .unwrap_err()
            .contains("2 decimal places"));
        assert!(CostBasis::parse("100000000")
            .unwrap_err()
            .contains("8 digits"));
        assert!(Shares::parse("100000000000000000000")
            .unwrap_err()
            .contains("20 digits"));
        for bad in [
            "", "abc", "1,5", "NaN", "inf", "1e400", "0x10", "1.2.3", " ",
        ] {
            assert_eq!(Shares::parse(bad).unwrap_err(), NOT_A_NUMBER, "{bad:?}");
        }
    }
}
