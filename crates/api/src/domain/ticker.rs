/// A stock symbol: 1-5 ASCII letters or digits, upper-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticker(String);

impl Ticker {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("This field may not be blank.".into());
        }
        if raw.len() > 5 || !raw.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err("A ticker is 1 to 5 letters or digits.".into());
        }
        Ok(Self(raw.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_upper_case() {
        assert_eq!(Ticker::parse("brk1").unwrap().as_str(), "BRK1");
    }

    #[test]
    fn refuses_empty_long_and_punctuated() {
        for bad in ["", "ABCDEF", "BRK.B", "ÄPL", "A B"] {
            assert!(Ticker::parse(bad).is_err(), "{bad:?}");
        }
    }
}
