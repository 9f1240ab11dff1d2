//! When weeks open and close, in the exchange's time zone.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::domain::Sunday;

/// The game's schedule: picks close when the market opens on the week's first trading day
/// (Monday, unless it is a market holiday); the week ends when the market closes on its last
/// trading day (Friday, unless that is a holiday).
#[derive(Debug, Clone)]
pub struct GameCalendar {
    pub timezone: Tz,
    pub market_open: NaiveTime,
    pub market_close: NaiveTime,
    /// Weekdays the exchange is closed.
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for GameCalendar {
    fn default() -> Self {
        Self {
            timezone: chrono_tz::America::New_York,
            market_open: NaiveTime::from_hms_opt(9, 30, 0).expect("valid time"),
            market_close: NaiveTime::from_hms_opt(16, 0, 0).expect("valid time"),
            holidays: BTreeSet::new(),
        }
    }
}

impl GameCalendar {
    /// The week the exchange's calendar is in at `now`.
    pub fn current_week(&self, now: DateTime<Utc>) -> Sunday {
        Sunday::of_week_containing(now.with_timezone(&self.timezone).date_naive())
    }

    /// The moment picks for `week` stop: its first trading day's market open.
    pub fn picks_close_at(&self, week: Sunday) -> DateTime<Utc> {
        let first = self
            .trading_days(week)
            .next()
            .unwrap_or(week.date() + Duration::days(1));
        self.at(first, self.market_open)
    }

    /// The moment `week` is over and can be scored: its last trading day's market close.
    pub fn week_ends_at(&self, week: Sunday) -> DateTime<Utc> {
        let last = self
            .trading_days(week)
            .last()
            .unwrap_or(week.date() + Duration::days(5));
        self.at(last, self.market_close)
    }

    /// Monday to Friday of `week`, without holidays.
    fn trading_days(&self, week: Sunday) -> impl Iterator<Item = NaiveDate> + '_ {
        self.trading_days_between(
            week.date() + Duration::days(1),
            week.date() + Duration::days(5),
        )
    }

    /// Whether the exchange trades on `day`: a weekday that is not a holiday.
    pub fn is_trading_day(&self, day: NaiveDate) -> bool {
        day.weekday().num_days_from_monday() < 5 && !self.holidays.contains(&day)
    }

    /// The trading days from `first` to `last`, in order.
    pub fn trading_days_between(
        &self,
        first: NaiveDate,
        last: NaiveDate,
    ) -> impl Iterator<Item = NaiveDate> + '_ {
        first
            .iter_days()
            .take_while(move |day| *day <= last)
            .filter(|day| self.is_trading_day(*day))
    }

    /// The moment `day`'s session closes.
    pub fn close_at(&self, day: NaiveDate) -> DateTime<Utc> {
        self.at(day, self.market_close)
    }

    /// The exchange's calendar date at `now`.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.timezone).date_naive()
    }

    /// The latest trading day whose session had closed by `now`.
    pub fn last_closed_day(&self, now: DateTime<Utc>) -> NaiveDate {
        let mut day = self.today(now);
        while !self.is_trading_day(day) || self.close_at(day) > now {
            day -= Duration::days(1);
        }
        day
    }

    pub fn picks_open(&self, week: Sunday, now: DateTime<Utc>) -> bool {
        now < self.picks_close_at(week)
    }

    fn at(&self, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let local = day.and_time(time);
        // A time skipped by a DST change is taken an hour later; a repeated one at its first occurrence.
        self.timezone
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                self.timezone
                    .from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn picks_close_at_monday_market_open_new_york_time() {
        let calendar = GameCalendar::default();
        let winter = Sunday::parse("2024-01-07").unwrap();
        assert_eq!(calendar.picks_close_at(winter), utc("2024-01-08T14:30:00Z"));
        let summer = Sunday::parse("2024-07-07").unwrap();
        assert_eq!(calendar.picks_close_at(summer), utc("2024-07-08T13:30:00Z"));
        assert_eq!(calendar.week_ends_at(summer), utc("2024-07-12T20:00:00Z"));
        assert!(calendar.picks_open(winter, utc("2024-01-08T14:29:59Z")));
        assert!(!calendar.picks_open(winter, utc("2024-01-08T14:30:00Z")));
    }

    #[test]
    fn holidays_move_the_first_and_last_trading_days() {
        // Martin Luther King Jr. Day 2024, and a made-up Friday closure.
        let calendar = GameCalendar {
            holidays: ["2024-01-15", "2024-01-19"]
                .iter()
                .map(|d| d.parse().unwrap())
                .collect(),
            ..GameCalendar::default()
        };
        let week = Sunday::parse("2024-01-14").unwrap();
        assert_eq!(calendar.picks_close_at(week), utc("2024-01-16T14:30:00Z"));
        assert_eq!(calendar.week_ends_at(week), utc("2024-01-18T21:00:00Z"));
    }

    #[test]
    fn trading_days_skip_weekends_and_holidays() {
        let calendar = GameCalendar {
            holidays: ["2024-01-15".parse().unwrap()].into(),
            ..GameCalendar::default()
        };
        let days: Vec<String> = calendar
            .trading_days_between("2024-01-12".parse().unwrap(), "2024-01-17".parse().unwrap())
            .map(|d| d.to_string())
            .collect();
        assert_eq!(days, ["2024-01-12", "2024-01-16", "2024-01-17"]);
        // Tuesday 15:59 New York: Tuesday has not closed yet; the holiday Monday never opened.
        assert_eq!(
            calendar
                .last_closed_day(utc("2024-01-16T20:59:00Z"))
                .to_string(),
            "2024-01-12"
        );
        assert_eq!(
            calendar
                .last_closed_day(utc("2024-01-16T21:00:00Z"))
                .to_string(),
            "2024-01-16"
        );
    }

    #[test]
    fn the_current_week_follows_the_exchange_calendar() {
        let calendar = GameCalendar::default();
        // Sunday 02:00 UTC is still Saturday evening in New York.
        assert_eq!(
            calendar
                .current_week(utc("2024-01-14T02:00:00Z"))
                .to_string(),
            "2024-01-07"
        );
        assert_eq!(
            calendar
                .current_week(utc("2024-01-14T12:00:00Z"))
                .to_string(),
            "2024-01-14"
        );
    }
}
