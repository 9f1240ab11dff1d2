use chrono::{NaiveDate, Utc};

/// The day a holding was bought: a real calendar date, not after today (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuyDate(NaiveDate);

impl BuyDate {
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::parse_on(raw, Utc::now().date_naive())
    }

    fn parse_on(raw: &str, today: NaiveDate) -> Result<Self, String> {
        let date = parse_iso_date(raw)?;
        if date > today {
            return Err("The buy date cannot be in the future.".into());
        }
        Ok(Self(date))
    }

    pub fn into_inner(self) -> NaiveDate {
        self.0
    }
}

/// Strictly `YYYY-MM-DD` (four-digit year, two-digit month and day).
pub fn parse_iso_date(raw: &str) -> Result<NaiveDate, String> {
    const WRONG_FORMAT: &str =
        "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.";
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(WRONG_FORMAT.into());
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| WRONG_FORMAT.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_today_and_the_past_only() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert!(BuyDate::parse_on("2026-11-28", today).is_ok());
        assert!(BuyDate::parse_on("1999-01-31", today).is_ok());
        assert!(BuyDate::parse_on("2026-11-29", today).is_err());
    }

    #[test]
    fn refuses_other_shapes_and_impossible_days() {
        for bad in [
            "2026-2-01",
            "2026/02/01",
            "20260201",
            "2026-02-30",
            "",
            "2026-02-01T00:00",
        ] {
            assert!(parse_iso_date(bad).is_err(), "{bad:?}");
        }
    }
}
