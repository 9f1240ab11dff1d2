use chrono::{Datelike, NaiveDate, Weekday};

use super::buy_date::parse_iso_date;

/// The Sunday that names a week of the game.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sunday(NaiveDate);

impl Sunday {
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::from_date(parse_iso_date(raw)?)
            .ok_or_else(|| "A week is named by its Sunday; this date is not a Sunday.".into())
    }

    pub fn from_date(date: NaiveDate) -> Option<Self> {
        (date.weekday() == Weekday::Sun).then_some(Self(date))
    }

    /// The Sunday that starts the week containing `date`.
    pub fn of_week_containing(date: NaiveDate) -> Self {
        let back = i64::from(date.weekday().num_days_from_sunday());
        Self(date - chrono::Duration::days(back))
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }
}

impl std::fmt::Display for Sunday {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sundays_name_weeks() {
        assert!(Sunday::parse("2024-01-07").is_ok());
        assert!(Sunday::parse("2024-01-08")
            .unwrap_err()
            .contains("not a Sunday"));
        assert!(Sunday::parse("2024-13-07")
            .unwrap_err()
            .contains("wrong format"));
    }

    #[test]
    fn every_day_belongs_to_the_sunday_before_it() {
        let sunday = Sunday::parse("2024-01-07").unwrap();
        for day in 7..=13 {
            let date = NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
            assert_eq!(Sunday::of_week_containing(date), sunday);
        }
    }
}
