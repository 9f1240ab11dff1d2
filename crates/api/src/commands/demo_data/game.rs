//! The demo's Wall Street game: four weeks picked and scored by the real scoring, the current
//! week under way (or open for picks), and the next one open for picks when the current one
//! has started, so a visitor can play at once.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use super::{market, DemoError};
use crate::db::sql_types::DbDecimal;
use crate::db::DbConn;
use crate::domain::calendar::GameCalendar;
use crate::domain::{Price, Sunday, Ticker};
use crate::game::lifecycle;
use crate::models::selection::{self, NewSelection};
use crate::models::week::{self, GameOption, NewOption};

const OPTIONS: [&str; 5] = ["ACME", "WIDG", "GLBX", "BOLT", "NOVA"];
const SCORED_WEEKS: i64 = 4;

/// Each player's picks (indexes into [`OPTIONS`]), turn by turn: week `n` uses row `n % 4`.
const PICKS: [[&[usize]; 3]; 4] = [
    [&[0, 4], &[1, 2, 3], &[4, 3]],
    [&[1], &[0, 4], &[2, 3, 0]],
    [&[4, 2, 0], &[3], &[1, 4]],
    [&[0, 3], &[2, 4], &[0]],
];

pub fn write(
    conn: &mut DbConn,
    calendar: &GameCalendar,
    now: DateTime<Utc>,
    players: &[i64],
    days: &[NaiveDate],
) -> Result<(), DemoError> {
    let current = calendar.current_week(now);
    for (turn, ago) in (1..=SCORED_WEEKS).rev().enumerate() {
        let sunday = weeks_from(current, -ago)?;
        let options = add_options(conn, sunday, Some(days))?;
        week::mark_started(
            conn,
            sunday.date(),
            calendar.picks_close_at(sunday).naive_utc(),
        )?;
        pick(conn, sunday, &options, players, turn)?;
        let friday = back_on_or_before(days, sunday.date() + Duration::days(5))?;
        for option in &options {
            let end = market::find(&option.ticker).close(friday);
            week::set_end_price(conn, option.id, DbDecimal(end))?;
        }
        lifecycle::score_and_close(conn, sunday, calendar.week_ends_at(sunday).naive_utc())
            .map_err(|err| DemoError::Write(err.to_string()))?;
    }
    let turn = SCORED_WEEKS as usize;
    if now >= calendar.picks_close_at(current) {
        let options = add_options(conn, current, Some(days))?;
        week::mark_started(
            conn,
            current.date(),
            calendar.picks_close_at(current).naive_utc(),
        )?;
        pick(conn, current, &options, players, turn)?;
        add_options(conn, weeks_from(current, 1)?, None)?;
    } else {
        // The visitor (the first player) has not picked yet.
        let options = add_options(conn, current, None)?;
        pick(conn, current, &options, &players[1..], turn)?;
    }
    Ok(())
}

fn weeks_from(sunday: Sunday, weeks: i64) -> Result<Sunday, DemoError> {
    Sunday::from_date(sunday.date() + Duration::weeks(weeks))
        .ok_or_else(|| DemoError::Write("a week that starts on no Sunday".into()))
}

/// The week's options, with start prices (the close before its Monday) when `days` is given.
fn add_options(
    conn: &mut DbConn,
    sunday: Sunday,
    days: Option<&[NaiveDate]>,
) -> Result<Vec<GameOption>, DemoError> {
    week::ensure(conn, sunday.date())?;
    let before_monday = days
        .map(|days| back_on_or_before(days, sunday.date() - Duration::days(1)))
        .transpose()?;
    OPTIONS
        .iter()
        .map(|symbol| {
            let start_price = before_monday
                .map(|back| Price::from_decimal(market::find(symbol).close(back)))
                .transpose()
                .map_err(DemoError::Write)?;
            let new = NewOption {
                sunday,
                ticker: Ticker::parse(symbol).map_err(DemoError::Write)?,
                start_price,
            };
            Ok(week::insert_option(conn, &new)?)
        })
        .collect()
}

/// Each player's picks for `turn`, made at noon on the week's Sunday.
fn pick(
    conn: &mut DbConn,
    sunday: Sunday,
    options: &[GameOption],
    players: &[i64],
    turn: usize,
) -> Result<(), DemoError> {
    let noon = sunday
        .date()
        .and_time(NaiveTime::from_hms_opt(12, 0, 0).expect("a time"));
    let row = &PICKS[turn % PICKS.len()];
    // Without the visitor, the other players keep their own rows.
    let rows = &row[row.len() - players.len()..];
    for (player, chosen) in players.iter().zip(rows) {
        for (slot, index) in (1..).zip(chosen.iter()) {
            let new = NewSelection {
                user_id: *player,
                option_id: options[*index].id,
                sunday: sunday.date(),
                slot,
                created_at: noon,
            };
            selection::insert(conn, &new)?;
        }
    }
    Ok(())
}

/// How many trading days back the last one on or before `date` is.
fn back_on_or_before(days: &[NaiveDate], date: NaiveDate) -> Result<usize, DemoError> {
    days.iter()
        .position(|day| *day <= date)
        .ok_or_else(|| DemoError::Write(format!("no close on or before {date}")))
}
