//! Currencies: a code of ISO 4217's list (`EUR`, `GBP`, `JPY`), and how many decimals its
//! amounts are shown with.

use iso_currency::Currency;

/// An ISO 4217 currency code, upper-cased; only codes on the standard's list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CurrencyCode(String);

impl CurrencyCode {
    pub const USD: &'static str = "USD";
    pub const EUR: &'static str = "EUR";

    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.trim();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err("A currency is a three-letter ISO 4217 code, such as USD.".into());
        }
        let code = code.to_ascii_uppercase();
        if Currency::from_code(&code).is_none() {
            return Err(format!("“{code}” is not an ISO 4217 currency code."));
        }
        Ok(Self(code))
    }

    pub fn usd() -> Self {
        Self(Self::USD.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    /// The decimals of the currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD).
    pub fn decimals(&self) -> u32 {
        Currency::from_code(&self.0)
            .and_then(Currency::exponent)
            .map_or(2, u32::from)
    }
}

impl std::fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_upper_cased_and_must_be_on_the_list() {
        assert_eq!(CurrencyCode::parse(" eur").unwrap().as_str(), "EUR");
        assert!(CurrencyCode::parse("EURO").is_err());
        assert!(CurrencyCode::parse("U$D").is_err());
        let unknown = CurrencyCode::parse("XYZ").unwrap_err();
        assert!(unknown.contains("“XYZ” is not an ISO 4217"), "{unknown}");
        // Pence are no currency: London prices are converted to pounds at the source.
        assert!(CurrencyCode::parse("GBX").is_err());
    }

    #[test]
    fn each_currency_has_its_own_decimals() {
        let decimals = |code: &str| CurrencyCode::parse(code).unwrap().decimals();
        assert_eq!(
            (
                decimals("USD"),
                decimals("JPY"),
                decimals("KWD"),
                decimals("GBP")
            ),
            (2, 0, 3, 2)
        );
    }
}
