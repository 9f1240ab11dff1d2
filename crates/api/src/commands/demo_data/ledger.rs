//! The demo owner's ledger: a brokerage account with buys, a short-term and a long-term sale,
//! quarterly dividends and a 4-for-1 split, and a retirement account; every trade at its day's
//! close. Each entry goes through the ledger's own checks, as an entry from the form does.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use super::market::{self, WIDG_SPLIT};
use super::DemoError;
use crate::db::DbConn;
use crate::domain::{AccountName, CurrencyCode, Ticker};
use crate::ledger::lots::Book;
use crate::ledger::Event;
use crate::models::account;
use crate::models::transaction::{self, Entry};
use crate::models::watchlist;

/// What happened, `back` trading days before the last one.
enum Step {
    Buy(u32, &'static str),
    Sell(u32, &'static str),
    /// Cash per share held.
    Dividend(&'static str, &'static str),
    Split(&'static str, u32),
}

const FEE: &str = "4.95";

const BROKERAGE: [(usize, Step); 11] = [
    (290, Step::Buy(40, "ACME")),
    (280, Step::Buy(30, "WIDG")),
    (240, Step::Buy(50, "BOLT")),
    (230, Step::Dividend("ACME", "0.24")),
    (200, Step::Buy(20, "ACME")),
    (167, Step::Dividend("ACME", "0.24")),
    (WIDG_SPLIT, Step::Split("WIDG", 4)),
    (110, Step::Sell(50, "BOLT")),
    (104, Step::Dividend("ACME", "0.26")),
    (41, Step::Dividend("ACME", "0.26")),
    (20, Step::Sell(25, "ACME")),
];

const RETIREMENT: [(usize, Step); 4] = [
    (270, Step::Buy(15, "GLBX")),
    (140, Step::Buy(10, "GLBX")),
    (90, Step::Dividend("GLBX", "0.74")),
    (60, Step::Buy(8, "NOVA")),
];

const WATCHED: [&str; 3] = ["NOVA", "SPY", "WIDG"];

pub fn write(
    conn: &mut DbConn,
    owner: i64,
    days: &[NaiveDate],
    now: NaiveDateTime,
) -> Result<(), DemoError> {
    let usd = CurrencyCode::parse(CurrencyCode::USD).map_err(DemoError::Write)?;
    for (first, name, steps, fee) in [
        (true, "Brokerage", &BROKERAGE[..], FEE),
        (false, "Retirement", &RETIREMENT[..], "0"),
    ] {
        let name = AccountName::parse(name).map_err(DemoError::Write)?;
        // Every new user has an account (`Main`); the brokerage is that one, renamed.
        let account = if first {
            let main = account::first_for(conn, owner)?;
            account::rename_for(conn, owner, main.id, &name)
                .map_err(|err| DemoError::Write(err.to_string()))?
                .ok_or_else(|| DemoError::Write("the first account went missing".into()))?
        } else {
            account::create(conn, owner, &name, &usd)
                .map_err(|err| DemoError::Write(err.to_string()))?
        };
        for (back, step) in steps {
            let entry = entry(account.id, days, *back, step, fee, conn)?;
            transaction::create_checked(conn, owner, &entry).map_err(|err| {
                DemoError::Write(format!("{} {}: {err}", entry.ticker, entry.date))
            })?;
        }
    }
    // The demo's list replaces the defaults a new list starts with (real symbols, which the
    // demo has no prices for).
    watchlist::ensure_started(conn, owner, now)?;
    for symbol in watchlist::DEFAULT_TICKERS {
        let ticker = Ticker::parse(symbol).map_err(DemoError::Write)?;
        watchlist::remove(conn, owner, &ticker)?;
    }
    for symbol in WATCHED {
        let ticker = Ticker::parse(symbol).map_err(DemoError::Write)?;
        watchlist::add(conn, owner, &ticker, i64::MAX, now)
            .map_err(|err| DemoError::Write(format!("watch list {symbol}: {err}")))?;
    }
    Ok(())
}

fn entry(
    account: i64,
    days: &[NaiveDate],
    back: usize,
    step: &Step,
    fee: &str,
    conn: &mut DbConn,
) -> Result<Entry, DemoError> {
    let decimal = |raw: &str| raw.parse::<Decimal>().expect("a decimal literal");
    let date = days[back];
    let (ticker, event, note) = match *step {
        Step::Buy(quantity, ticker) => (
            ticker,
            Event::Buy {
                quantity: quantity.into(),
                price: market::find(ticker).close(back),
                fee: decimal(fee),
            },
            None,
        ),
        Step::Sell(quantity, ticker) => (
            ticker,
            Event::Sell {
                quantity: quantity.into(),
                price: market::find(ticker).close(back),
                fee: decimal(fee),
            },
            None,
        ),
        Step::Dividend(ticker, per_share) => {
            let held = held(conn, account, ticker)?;
            (
                ticker,
                Event::Dividend {
                    amount: (held * decimal(per_share)).round_dp(2),
                },
                Some(format!("{per_share} a share")),
            )
        }
        Step::Split(ticker, ratio) => (
            ticker,
            Event::Split {
                ratio: ratio.into(),
            },
            Some(format!("{ratio}-for-1")),
        ),
    };
    Ok(Entry {
        account_id: account,
        ticker: ticker.to_owned(),
        date,
        event,
        currency: CurrencyCode::USD.to_owned(),
        note,
    })
}

/// Shares of `ticker` the account holds after what is written so far (the steps are in date
/// order), by the ledger's own replay.
fn held(conn: &mut DbConn, account: i64, ticker: &str) -> Result<Decimal, DemoError> {
    let trades = transaction::trades_of_holding(conn, account, ticker)
        .map_err(|err| DemoError::Write(err.to_string()))?;
    let book = Book::replay(&trades).map_err(|err| DemoError::Write(err.to_string()))?;
    Ok(book.held(account, ticker))
}
