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
        not_too_early(date)?;
        Ok(Self(date))
    }

    pub fn into_inner(self) -> NaiveDate {
        self.0
    }
}

/// The earliest day a trade may have, and the earliest a performance range may start: the
/// performance walk visits every day of its range, so a date in year 1 (which the format
/// allows) cost one request seconds of CPU per call (the schemathesis run timed out on it).
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => panic!("1900-01-01 is a date"),
};

/// Refuses a date before [`EARLIEST_DATE`], with the message a client shows.
pub fn not_too_early(date: NaiveDate) -> Result<(), String> {
    if date < EARLIEST_DATE {
        return Err(format!("The date cannot be before {EARLIEST_DATE}."));
    }
    Ok(())
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

#[cfg(test)]
mod earliest_tests {
    use super::*;

    #[test]
    fn dates_before_1900_are_refused() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert!(BuyDate::parse_on("1900-01-01", today).is_ok());
        assert_eq!(
            BuyDate::parse_on("1899-12-31", today).unwrap_err(),
            "The date cannot be before 1900-01-01."
        );
        assert!(BuyDate::parse_on("0001-01-01", today).is_err());
    }
}
