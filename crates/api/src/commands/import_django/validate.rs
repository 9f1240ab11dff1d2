//! Each Django row on its own, against our domain rules: a row that fits becomes the values
//! the writer inserts, one that does not is reported with its table, id and every reason.
//! Rules between rows (duplicates, owners, picks per week) and against the target database are
//! the writer's.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

use super::report::Invalid;
use super::rows::{AssetRow, DjangoRows, OptionRow, SelectionRow, Table, UserRow};
use crate::auth::django_hashers::DjangoHash;
use crate::domain::calendar::GameCalendar;
use crate::domain::{
    BuyDate, CostBasis, Email, Money, PercentChange, Price, Shares, Sunday, Ticker, TradeDate,
    Username,
};
use crate::models::import::{
    ImportedAsset, ImportedOption, ImportedSale, ImportedUser, Score, WeekMarkers,
};

/// The rows that fit, ready for the writer, and those that do not.
#[derive(Debug, Default)]
pub struct Plan {
    pub users: Vec<ImportedUser>,
    /// Each with its owner's Django id.
    pub assets: Vec<(i64, ImportedAsset)>,
    /// Each with its Django id, which picks refer to.
    pub options: Vec<(i64, ImportedOption)>,
    pub selections: Vec<SelectionRow>,
    /// The markers of every week an option names.
    pub weeks: BTreeMap<Sunday, Option<WeekMarkers>>,
    pub invalid: Vec<Invalid>,
}

/// Checks every row; `calendar` and `now` decide which weeks are over.
pub fn plan(rows: DjangoRows, calendar: &GameCalendar, now: DateTime<Utc>) -> Plan {
    let mut plan = Plan::default();
    let invalid = &mut plan.invalid;
    for row in rows.users {
        let id = row.id;
        plan.users
            .extend(keep(invalid, Table::Users, id, user(row)));
    }
    for row in rows.assets {
        let id = row.id;
        plan.assets
            .extend(keep(invalid, Table::Assets, id, asset(row)));
    }
    for row in rows.options.into_iter().flatten() {
        let id = row.id;
        if let Some(option) = keep(invalid, Table::Options, id, option(row)) {
            plan.weeks
                .entry(option.sunday)
                .or_insert_with(|| markers(calendar, option.sunday, now));
            plan.options.push((id, option));
        }
    }
    plan.selections = rows.selections.unwrap_or_default();
    plan
}

/// The value of a row that fits; a row that does not goes to `invalid`.
fn keep<T>(
    invalid: &mut Vec<Invalid>,
    table: Table,
    id: i64,
    checked: Result<T, String>,
) -> Option<T> {
    checked
        .map_err(|reason| invalid.push(Invalid { table, id, reason }))
        .ok()
}

/// Every problem of one row, each naming its column (and value, but never a password's).
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn check<T>(&mut self, column: &str, value: &str, parsed: Result<T, String>) -> Option<T> {
        parsed
            .map_err(|message| {
                let shown: String = value.chars().take(40).collect();
                self.0.push(format!("{column} {shown:?}: {message}"));
            })
            .ok()
    }

    fn note(&mut self, problem: String) {
        self.0.push(problem);
    }

    fn into_result<T>(self, value: Option<T>) -> Result<T, String> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(self.0.join("; ")),
        }
    }
}

fn user(row: UserRow) -> Result<ImportedUser, String> {
    let mut problems = Problems::default();
    let username = problems.check("username", &row.username, Username::parse(&row.username));
    let email = problems.check("email", &row.email, Email::parse(&row.email));
    if let Err(unsupported) = DjangoHash::parse(&row.password) {
        problems.note(format!("password: {unsupported}"));
    }
    let date_joined = problems.check("date_joined", &row.date_joined, timestamp(&row.date_joined));
    let user = match (username, email, date_joined) {
        (Some(username), Some(email), Some(date_joined)) => Some(ImportedUser {
            source_id: row.id,
            username,
            email,
            password_hash: row.password,
            is_staff: row.is_staff,
            is_superuser: row.is_superuser,
            is_active: row.is_active,
            date_joined,
        }),
        _ => None,
    };
    problems.into_result(user)
}

/// A holding of either schema: the early one's `costbasis` is the price per share; the later
/// one's is the purchase's total, and its sale (all the shares) a total too, so each becomes a
/// price per share, rounded half to even to the ledger's 6 places.
fn asset(row: AssetRow) -> Result<(i64, ImportedAsset), String> {
    let mut problems = Problems::default();
    let ticker = problems.check("ticker", &row.ticker, Ticker::parse(&row.ticker));
    let shares = problems.check("shares", &row.shares, Shares::parse(&row.shares));
    let buy = problems.check("buy", &row.buy, BuyDate::parse(&row.buy));
    let price = if row.cost_is_total {
        problems
            .check("cost_basis", &row.costbasis, Money::parse(&row.costbasis))
            .zip(shares)
            .and_then(|(total, shares)| per_share(&mut problems, "cost_basis", total, shares))
    } else {
        problems
            .check(
                "costbasis",
                &row.costbasis,
                CostBasis::parse(&row.costbasis),
            )
            .map(CostBasis::value)
    };
    let sale = match (&row.sell_date, &row.sell_total) {
        (None, None) => Some(None),
        (Some(date), Some(total)) => {
            let date = problems.check("sell_date", date, TradeDate::parse(date));
            let total = problems.check("sell_price", total, Money::parse(total));
            match (date, total, shares, buy) {
                (Some(date), Some(_), _, Some(buy)) if date.into_inner() < buy.into_inner() => {
                    problems.note(format!(
                        "sell_date \"{}\": the sale is before the purchase",
                        date.into_inner()
                    ));
                    None
                }
                (Some(date), Some(total), Some(shares), _) => {
                    per_share(&mut problems, "sell_price", total, shares).map(|price| {
                        Some(ImportedSale {
                            date: date.into_inner(),
                            price,
                        })
                    })
                }
                _ => None,
            }
        }
        (date, total) => {
            let (column, raw) = match date {
                Some(date) => ("sell_date", date.as_str()),
                None => ("sell_price", total.as_deref().unwrap_or_default()),
            };
            problems.note(format!(
                "{column} {raw:?}: a sale needs both its date and its price"
            ));
            None
        }
    };
    let asset = match (ticker, shares, price, buy, sale) {
        (Some(ticker), Some(shares), Some(price), Some(buy), Some(sale)) => Some((
            row.user_id,
            ImportedAsset {
                source_id: row.id,
                ticker,
                shares,
                price,
                buy,
                sale,
            },
        )),
        _ => None,
    };
    problems.into_result(asset)
}

/// A total over `shares`, to 6 places; a total for no shares is a problem of `column`.
fn per_share(
    problems: &mut Problems,
    column: &str,
    total: Money,
    shares: Shares,
) -> Option<Decimal> {
    let each = total
        .value()
        .checked_div(shares.value())
        .map(|each| each.round_dp_with_strategy(6, RoundingStrategy::MidpointNearestEven));
    if each.is_none() {
        problems.note(format!(
            "{column} \"{}\": a total for no shares",
            total.value()
        ));
    }
    each
}

/// A ranked option (rank 1 or more) keeps its prices, percent change and rank exactly. An
/// unranked one (no rank, or Django's default 0) is not scored yet: its start price is kept,
/// while an end price and percent change are left to the week's close, which records and
/// scores them together. A start price of 1 with an end price of 2 is Django's model defaults,
/// not a price.
fn option(row: OptionRow) -> Result<ImportedOption, String> {
    let mut problems = Problems::default();
    let ticker = problems.check("ticker", &row.ticker, Ticker::parse(&row.ticker));
    let sunday = problems.check("sunday", &row.sunday, Sunday::parse(&row.sunday));
    let price = |problems: &mut Problems, column: &str, raw: &Option<String>| match raw {
        Some(raw) => problems.check(column, raw, Price::parse(raw)).map(Some),
        None => Some(None),
    };
    let required = |problems: &mut Problems, column: &str, found: Option<Option<Price>>| {
        if let Some(None) = found {
            problems.note(format!("{column}: a ranked option needs it"));
        }
        found.flatten()
    };
    let (start_price, end_price, score) = match row.rank {
        Some(rank) if rank >= 1 => {
            let start = price(&mut problems, "startPrice", &row.start_price);
            let start = required(&mut problems, "startPrice", start);
            let end = price(&mut problems, "endPrice", &row.end_price);
            let end = required(&mut problems, "endPrice", end);
            let change = match &row.percent_change {
                Some(raw) => problems.check("percentChange", raw, PercentChange::parse(raw)),
                None => {
                    problems.note("percentChange: a ranked option needs it".into());
                    None
                }
            };
            let rank = problems.check(
                "rank",
                &rank.to_string(),
                i32::try_from(rank).map_err(|_| "Too large.".to_owned()),
            );
            let score = change.zip(rank).map(|(percent_change, rank)| Score {
                percent_change,
                rank,
            });
            (start, end, score)
        }
        None | Some(0) => {
            let start = if is_django_default(&row) {
                None
            } else {
                price(&mut problems, "startPrice", &row.start_price).flatten()
            };
            (start, None, None)
        }
        Some(negative) => {
            problems.note(format!(
                "rank {negative}: ranks start at 1 (0 or none means not scored)"
            ));
            (None, None, None)
        }
    };
    let option = ticker.zip(sunday).map(|(ticker, sunday)| ImportedOption {
        sunday,
        ticker,
        start_price,
        end_price,
        score,
    });
    problems.into_result(option)
}

/// Whether an unscored option still has `Option`'s field defaults (startPrice 1, endPrice 2,
/// percentChange 0) rather than prices.
fn is_django_default(row: &OptionRow) -> bool {
    let value = |raw: &Option<String>| {
        raw.as_deref()
            .and_then(|text| Decimal::from_str_exact(text.trim()).ok())
    };
    value(&row.start_price) == Some(Decimal::ONE)
        && value(&row.end_price) == Some(Decimal::TWO)
        && value(&row.percent_change).is_none_or(|change| change.is_zero())
}

/// A week that is already over is marked started and closed (at its picks' close and its
/// end), so the scheduler, which catches up on unmarked weeks, never prices it with today's
/// quotes; staff can still score it by hand. A week still to come or under way stays as a new
/// week would be.
fn markers(calendar: &GameCalendar, sunday: Sunday, now: DateTime<Utc>) -> Option<WeekMarkers> {
    let ends = calendar.week_ends_at(sunday);
    (ends <= now).then(|| WeekMarkers {
        started_at: calendar.picks_close_at(sunday).naive_utc(),
        closed_at: ends.naive_utc(),
    })
}

/// A timestamp as the sources write one: PostgreSQL's text (`2024-01-02 10:00:00.5+00`),
/// SQLite's (`2024-01-02 10:00:00.5`, UTC) or dumpdata's (`2024-01-02T10:00:00.500Z`).
fn timestamp(raw: &str) -> Result<NaiveDateTime, String> {
    let text = raw.trim().replacen('T', " ", 1);
    let text = match text.strip_suffix('Z') {
        Some(utc) => format!("{utc}+00:00"),
        None => text,
    };
    if let Ok(with_offset) = DateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f%#z") {
        return Ok(with_offset.naive_utc());
    }
    NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f")
        .map_err(|_| "Not a date and time (YYYY-MM-DD HH:MM:SS).".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option_row(rank: Option<i64>, prices: [Option<&str>; 3]) -> OptionRow {
        let [start, end, change] = prices.map(|p| p.map(str::to_owned));
        OptionRow {
            id: 1,
            ticker: "spy".into(),
            sunday: "2024-01-07".into(),
            start_price: start,
            end_price: end,
            percent_change: change,
            rank,
        }
    }

    #[test]
    fn timestamps_from_every_source_are_utc() {
        let expected =
            NaiveDateTime::parse_from_str("2024-01-02 10:00:00.5", "%Y-%m-%d %H:%M:%S%.f").unwrap();
        for raw in [
            "2024-01-02 10:00:00.5+00",
            "2024-01-02 11:00:00.5+01:00",
            "2024-01-02 10:00:00.5",
            "2024-01-02T10:00:00.500Z",
        ] {
            assert_eq!(timestamp(raw), Ok(expected), "{raw}");
        }
        assert_eq!(
            timestamp("2024-01-02T10:00:00Z").unwrap().to_string(),
            "2024-01-02 10:00:00"
        );
        assert!(timestamp("yesterday").is_err());
    }

    #[test]
    fn a_ranked_option_keeps_everything_exactly() {
        let kept = option(option_row(
            Some(2),
            [Some("10"), Some("12.5"), Some("25.00")],
        ))
        .unwrap();
        assert_eq!(kept.ticker.as_str(), "SPY");
        assert_eq!(kept.start_price.unwrap().value().to_string(), "10.0000");
        assert_eq!(kept.end_price.unwrap().value().to_string(), "12.5000");
        let score = kept.score.unwrap();
        assert_eq!(score.percent_change.value().to_string(), "25.00");
        assert_eq!(score.rank, 2);
    }

    #[test]
    fn an_unranked_option_keeps_only_its_start_price() {
        let kept = option(option_row(
            Some(0),
            [Some("471.25"), Some("480"), Some("1.86")],
        ))
        .unwrap();
        assert_eq!(kept.start_price.unwrap().value().to_string(), "471.2500");
        assert!(kept.end_price.is_none() && kept.score.is_none());
        let defaults = option(option_row(Some(0), [Some("1"), Some("2"), Some("0")])).unwrap();
        assert!(defaults.start_price.is_none());
        let unpriced = option(option_row(None, [None, None, None])).unwrap();
        assert!(unpriced.start_price.is_none());
    }

    #[test]
    fn every_problem_of_a_row_is_reported() {
        let reason = option(OptionRow {
            ticker: "BRK/B".into(),
            sunday: "2024-01-08".into(),
            ..option_row(Some(1), [Some("0"), None, Some("1.234")])
        })
        .unwrap_err();
        for part in [
            "ticker \"BRK/B\"",
            "sunday \"2024-01-08\"",
            "startPrice \"0\"",
            "endPrice",
            "percentChange \"1.234\"",
        ] {
            assert!(reason.contains(part), "{part} in {reason}");
        }
        assert!(option(option_row(Some(-1), [None, None, None])).is_err());
    }
}
