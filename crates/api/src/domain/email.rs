/// An email address, or none (the field is optional and stored as an empty string, like Django).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Email(String);

const INVALID: &str = "Enter a valid email address.";

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Self::default());
        }
        if raw.len() > 254 {
            return Err("Ensure this field has no more than 254 characters.".into());
        }
        let (local, domain) = raw.rsplit_once('@').ok_or(INVALID)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.chars().all(char::is_alphabetic));
        if local_ok && domain_ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(INVALID.into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_nothing() {
        for ok in ["a@example.com", "first.last+tag@mail.example.co.uk", ""] {
            assert!(Email::parse(ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "plain",
            "@example.com",
            "a@",
            "a@localhost",
            "a b@example.com",
            "a@exa mple.com",
            "a@-x.com",
            "a..b@example.com",
            "a@example.123",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }
}
