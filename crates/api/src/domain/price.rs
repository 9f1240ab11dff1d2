use rust_decimal::Decimal;

use super::FixedDecimal;

/// A share price: positive, exact, at most 10 digits before the point and 4 after
/// (`NUMERIC(14, 4)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price(FixedDecimal<10, 4>);

impl Price {
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::from_decimal(FixedDecimal::<10, 4>::parse(raw)?.value())
    }

    pub fn from_decimal(value: Decimal) -> Result<Self, String> {
        let fixed = FixedDecimal::<10, 4>::from_decimal(
            value.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointNearestEven),
        )?;
        if fixed.value().is_zero() {
            return Err("Ensure this value is greater than 0.".into());
        }
        Ok(Self(fixed))
    }

    pub fn value(self) -> Decimal {
        self.0.value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_positive_with_four_places() {
        assert_eq!(
            Price::parse("189.98").unwrap().value().to_string(),
            "189.9800"
        );
        assert!(Price::parse("0").is_err());
        assert!(Price::parse("-1").is_err());
        assert!(Price::parse("12345678901").is_err());
        assert_eq!(
            Price::from_decimal("1.23456".parse().unwrap())
                .unwrap()
                .value()
                .to_string(),
            "1.2346"
        );
    }
}
