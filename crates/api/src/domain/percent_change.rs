use rust_decimal::Decimal;

use super::FixedDecimal;

/// How an option did in its week: a signed percentage with two decimal places, as scoring
/// rounds it (`NUMERIC(20, 2)`). Parsed exactly: a value with more places is refused, never
/// rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PercentChange(Decimal);

impl PercentChange {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let (negative, magnitude) = match raw.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let magnitude = FixedDecimal::<18, 2>::parse(magnitude)?.value();
        Ok(Self(if negative { -magnitude } else { magnitude }))
    }

    pub fn value(self) -> Decimal {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_sign_and_two_places() {
        assert_eq!(
            PercentChange::parse("-3.5").unwrap().value().to_string(),
            "-3.50"
        );
        assert_eq!(
            PercentChange::parse("12").unwrap().value().to_string(),
            "12.00"
        );
        assert_eq!(
            PercentChange::parse("0.0").unwrap().value().to_string(),
            "0.00"
        );
    }

    #[test]
    fn refuses_extra_places_and_non_numbers() {
        assert!(PercentChange::parse("1.005").is_err());
        assert!(PercentChange::parse("--1").is_err());
        assert!(PercentChange::parse("").is_err());
        assert!(PercentChange::parse("abc").is_err());
    }
}
