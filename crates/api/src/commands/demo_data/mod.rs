//! `api demo-data`: fills an empty database with a lived-in app to look at — three players, a
//! two-account ledger with sales, dividends and a split, a year of daily closes, and a Wall
//! Street game with scored weeks — written through the models in one transaction. It refuses a
//! database that has any account, so it can never mix with real data.

mod game;
mod ledger;
pub mod market;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::result::Error as DieselError;

use crate::auth::password;
use crate::cli::{DatabaseOptions, GameOptions};
use crate::db::DbPool;
use crate::domain::calendar::GameCalendar;
use crate::domain::{Email, Owner, Password, Username};
use crate::models::closes::{self, NewClose};
use crate::models::user::{self, NewUser};
use crate::settings;

pub const PASSWORD_ENV: &str = "API_DEMO_PASSWORD";

/// The portfolio's owner first; the others play the game.
pub const USERS: [&str; 3] = ["demo", "ada", "grace"];

/// Why the demo could not be written. Nothing is written then.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "the database already has {0} account(s); demo-data only fills an empty database \
         (point DATABASE_URL at a new file, e.g. sqlite://demo.sqlite3)"
    )]
    NotEmpty(i64),
    #[error("{PASSWORD_ENV}: {0}")]
    Password(String),
    #[error("{0}")]
    Database(#[from] crate::db::DbError),
    #[error("writing the demo: {0}")]
    Write(String),
}

impl From<DieselError> for DemoError {
    fn from(err: DieselError) -> Self {
        Self::Database(err.into())
    }
}

/// `api demo-data`: migrates, writes the demo as of now, and says how to log in.
pub fn command(database: &DatabaseOptions, game: &GameOptions) -> Result<(), String> {
    let calendar = settings::calendar(game).map_err(|err| err.to_string())?;
    let pool = super::migrated_pool(database)?;
    let given = std::env::var(PASSWORD_ENV)
        .ok()
        .filter(|value| !value.is_empty());
    let shown = given.is_none();
    let password = run(&pool, &calendar, Utc::now(), given).map_err(|err| err.to_string())?;
    println!(
        "Demo written: log in as {} (or {}) with the password {}.",
        USERS[0],
        USERS[1..].join(", "),
        if shown {
            password.as_str()
        } else {
            "in API_DEMO_PASSWORD"
        }
    );
    println!(
        "The companies and their prices are made up: performance and the game read the stored \
         closes, while live quotes still need FINNHUB_TOKEN."
    );
    Ok(())
}

/// Writes the demo as of `now`, with `password` for every user, or a generated one; returns
/// the password.
pub fn run(
    pool: &DbPool,
    calendar: &GameCalendar,
    now: DateTime<Utc>,
    password: Option<String>,
) -> Result<String, DemoError> {
    let password = password.unwrap_or_else(generated_password);
    let hashes = USERS
        .iter()
        .map(|name| hash_for(name, &password))
        .collect::<Result<Vec<_>, _>>()?;
    let today = calendar.today(now);
    let mut conn = pool.get()?;
    conn.write_transaction(|conn| {
        let existing = user::count(conn)?;
        if existing > 0 {
            return Err(DemoError::NotEmpty(existing));
        }
        let mut ids = Vec::with_capacity(USERS.len());
        for (name, hash) in USERS.iter().zip(hashes) {
            let new = NewUser {
                username: Username::parse(name).map_err(DemoError::Write)?,
                email: Email::parse(&format!("{name}@example.com")).map_err(DemoError::Write)?,
                password_hash: hash,
                is_staff: false,
            };
            ids.push(
                user::create(conn, &new)
                    .map_err(|err| DemoError::Write(err.to_string()))?
                    .id,
            );
        }
        let days = market::trading_days(today);
        store_closes(conn, &days)?;
        ledger::write(conn, ids[0], &days, now.naive_utc())?;
        game::write(conn, calendar, now, &ids, &days)
    })?;
    Ok(password)
}

fn hash_for(name: &str, raw: &str) -> Result<String, DemoError> {
    let email = format!("{name}@example.com");
    let owner = Owner {
        username: Some(name),
        email: Some(&email),
    };
    let checked = Password::parse(raw.to_owned(), &owner)
        .map_err(|problems| DemoError::Password(problems.join(" ")))?;
    password::hash(&checked).map_err(DemoError::Write)
}

/// Sixteen random bytes as hex: strong, and easy to paste into the login form.
fn generated_password() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Every symbol's closes, and the span recorded as already asked of the history provider, so
/// the server does not fetch made-up symbols.
fn store_closes(conn: &mut crate::db::DbConn, days: &[NaiveDate]) -> Result<(), DemoError> {
    for series in &market::SERIES {
        let symbol = crate::domain::Ticker::parse(series.symbol).map_err(DemoError::Write)?;
        let rows = days
            .iter()
            .enumerate()
            .map(|(back, date)| {
                Ok(NewClose {
                    symbol: symbol.clone(),
                    date: *date,
                    close: crate::domain::Price::from_decimal(series.close(back))
                        .map_err(DemoError::Write)?,
                })
            })
            .collect::<Result<Vec<_>, DemoError>>()?;
        closes::upsert(conn, &rows)?;
        let (first, last) = (days[days.len() - 1], days[0]);
        closes::add_coverage(conn, series.symbol, first, last)?;
    }
    Ok(())
}
