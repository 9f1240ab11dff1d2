//! The ledger's input values: a transaction's type, its positive quantities and money, the
//! split ratio, its date, and an account's name and currency. Each is valid once parsed.

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;

use super::buy_date::parse_iso_date;
use super::FixedDecimal;

const NOT_POSITIVE: &str = "Ensure this value is greater than 0.";

/// What a transaction records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TransactionType {
    Buy,
    Sell,
    Dividend,
    Split,
}

impl TransactionType {
    pub const ALL: [Self; 4] = [Self::Buy, Self::Sell, Self::Dividend, Self::Split];

    /// `BUY`, `SELL`, `DIVIDEND` or `SPLIT`, in any case.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let upper = raw.trim().to_ascii_uppercase();
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == upper)
            .ok_or_else(|| format!("\"{raw}\" is not a valid choice (BUY, SELL, DIVIDEND, SPLIT)."))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Buy => "BUY",
            Self::Sell => "SELL",
            Self::Dividend => "DIVIDEND",
            Self::Split => "SPLIT",
        }
    }

    /// The type's own fields beyond account, ticker, date, currency and note.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Buy | Self::Sell => &["quantity", "price", "fee"],
            Self::Dividend => &["amount"],
            Self::Split => &["ratio"],
        }
    }
}

/// Shares traded: positive, up to 20 digits before the point and 8 after (`NUMERIC(28, 8)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity(Decimal);

/// Money in the account's currency: a price per share, a fee or a dividend, up to 14 digits
/// before the point and 6 after (`NUMERIC(20, 6)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money(Decimal);

/// New shares per old share: `4` for a 4-for-1 split, `0.1` for 1-for-10 (`NUMERIC(20, 10)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio(Decimal);

fn positive(value: Decimal) -> Result<Decimal, String> {
    if value.is_zero() {
        Err(NOT_POSITIVE.into())
    } else {
        Ok(value)
    }
}

impl Quantity {
    pub fn parse(raw: &str) -> Result<Self, String> {
        positive(FixedDecimal::<20, 8>::parse(raw)?.value()).map(Self)
    }

    pub fn value(self) -> Decimal {
        self.0
    }
}

impl Money {
    /// A price or dividend: more than zero.
    pub fn parse_positive(raw: &str) -> Result<Self, String> {
        positive(Self::parse(raw)?.0).map(Self)
    }

    /// A fee: zero or more.
    pub fn parse(raw: &str) -> Result<Self, String> {
        FixedDecimal::<14, 6>::parse(raw).map(|fixed| Self(fixed.value()))
    }

    pub fn value(self) -> Decimal {
        self.0
    }
}

impl Ratio {
    pub fn parse(raw: &str) -> Result<Self, String> {
        positive(FixedDecimal::<10, 10>::parse(raw)?.value()).map(Self)
    }

    pub fn value(self) -> Decimal {
        self.0
    }
}

/// The day a transaction happened: a real calendar date, not after today (UTC) and not before
/// 1900.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TradeDate(NaiveDate);

impl TradeDate {
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::parse_on(raw, Utc::now().date_naive())
    }

    pub fn parse_on(raw: &str, today: NaiveDate) -> Result<Self, String> {
        let date = parse_iso_date(raw.trim())?;
        if date > today {
            return Err("The date cannot be in the future.".into());
        }
        super::buy_date::not_too_early(date)?;
        Ok(Self(date))
    }

    pub fn into_inner(self) -> NaiveDate {
        self.0
    }
}

/// An account's name: 1 to 100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountName(String);

impl AccountName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("This field may not be blank.".into());
        }
        if name.chars().count() > 100 {
            return Err("Ensure this field has no more than 100 characters.".into());
        }
        if name.chars().any(char::is_control) {
            return Err("An account name cannot hold control characters.".into());
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A free-text note on a transaction, at most 500 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note(String);

impl Note {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.chars().count() > 500 {
            return Err("Ensure this field has no more than 500 characters.".into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_read_in_any_case_and_unknown_ones_named() {
        assert_eq!(
            TransactionType::parse("sell").unwrap(),
            TransactionType::Sell
        );
        let err = TransactionType::parse("GIFT").unwrap_err();
        assert!(err.contains("\"GIFT\""), "{err}");
    }

    #[test]
    fn amounts_must_be_positive_and_fees_may_be_zero() {
        assert_eq!(Quantity::parse("0").unwrap_err(), NOT_POSITIVE);
        assert!(Quantity::parse("-1").is_err());
        assert_eq!(
            Quantity::parse("0.00000001").unwrap().value().to_string(),
            "0.00000001"
        );
        assert!(Quantity::parse("0.000000001").is_err());
        assert_eq!(Money::parse_positive("0").unwrap_err(), NOT_POSITIVE);
        assert_eq!(Money::parse("0").unwrap().value(), Decimal::ZERO);
        assert_eq!(Ratio::parse("0").unwrap_err(), NOT_POSITIVE);
        assert_eq!(
            Ratio::parse("0.1").unwrap().value().normalize().to_string(),
            "0.1"
        );
    }

    #[test]
    fn dates_in_the_future_are_refused() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert!(TradeDate::parse_on("2026-12-07", today).is_ok());
        assert!(TradeDate::parse_on("2026-12-08", today).is_err());
        assert!(TradeDate::parse_on("2026-02-30", today).is_err());
    }

    #[test]
    fn names_and_currencies() {
        assert_eq!(AccountName::parse("  IRA ").unwrap().as_str(), "IRA");
        assert!(AccountName::parse(" ").is_err());
        assert!(AccountName::parse(&"x".repeat(101)).is_err());
    }
}
