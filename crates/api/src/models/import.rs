//! What `api import-django` writes: rows with the ids the importer chose and, for accounts and
//! holdings, the Django ids they came from; and the reads its stable keys need. Rows are made
//! from domain values, as everywhere in models.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use rust_decimal::Decimal;

use super::account::{self, Account};
use super::selection::NewSelection;
use super::transaction::{self, Entry};
use super::user::NewUserRow;
use crate::db::schema::{options, selections, transactions, users, weeks};
use crate::db::sql_types::DbDecimal;
use crate::db::DbConn;
use crate::domain::{BuyDate, Email, PercentChange, Price, Shares, Sunday, Ticker, Username};
use crate::ledger::Event;
use crate::with_conn;

/// A Django account; the password hash is Django's, checked at login until the first one.
#[derive(Debug)]
pub struct ImportedUser {
    pub source_id: i64,
    pub username: Username,
    pub email: Email,
    pub password_hash: String,
    pub is_staff: bool,
    pub is_superuser: bool,
    pub is_active: bool,
    pub date_joined: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct ImportedUserRow<'a> {
    id: i64,
    #[diesel(embed)]
    account: NewUserRow<'a>,
    is_active: bool,
    source_id: i64,
}

pub fn insert_user(conn: &mut DbConn, id: i64, user: &ImportedUser) -> QueryResult<()> {
    let row = ImportedUserRow {
        id,
        account: NewUserRow::new(
            &user.username,
            &user.email,
            &user.password_hash,
            user.is_staff,
            user.is_superuser,
            user.date_joined,
        ),
        is_active: user.is_active,
        source_id: user.source_id,
    };
    with_conn!(conn, |c| diesel::insert_into(users::table)
        .values(&row)
        .execute(c))?;
    Ok(())
}

/// A Django holding, and its sale when the later schema recorded one.
#[derive(Debug)]
pub struct ImportedAsset {
    pub source_id: i64,
    pub ticker: Ticker,
    pub shares: Shares,
    /// The price of one share (the later schema's total over the shares).
    pub price: Decimal,
    pub buy: BuyDate,
    pub sale: Option<ImportedSale>,
}

/// A whole holding sold: the later schema's `sell_date`, and its proceeds per share.
#[derive(Debug, Clone, Copy)]
pub struct ImportedSale {
    pub date: NaiveDate,
    pub price: Decimal,
}

impl ImportedAsset {
    /// The holding's entries: its BUY, and its SELL if it was sold (no fees: Django had none),
    /// in `account`.
    pub fn entries(&self, account: &Account) -> (Entry, Option<Entry>) {
        let entry = |date, event| Entry {
            account_id: account.id,
            ticker: self.ticker.as_str().to_owned(),
            date,
            event,
            currency: account.currency.clone(),
            note: None,
        };
        let buy = entry(
            self.buy.into_inner(),
            Event::Buy {
                quantity: self.shares.value(),
                price: self.price,
                fee: Decimal::ZERO,
            },
        );
        let sell = self.sale.map(|sale| {
            entry(
                sale.date,
                Event::Sell {
                    quantity: self.shares.value(),
                    price: sale.price,
                    fee: Decimal::ZERO,
                },
            )
        });
        (buy, sell)
    }
}

/// Writes a Django holding's BUY under `id` in the owner's first account.
pub fn insert_buy(
    conn: &mut DbConn,
    id: i64,
    user_id: i64,
    asset: &ImportedAsset,
) -> QueryResult<()> {
    let first = account::first_for(conn, user_id)?;
    let (buy, _) = asset.entries(&first);
    transaction::insert_with_id(conn, user_id, id, &buy, Some(asset.source_id))
}

/// Writes a Django holding's SELL, if it was sold, under `id` in the owner's first account.
pub fn insert_sell(
    conn: &mut DbConn,
    id: i64,
    user_id: i64,
    asset: &ImportedAsset,
) -> QueryResult<()> {
    let first = account::first_for(conn, user_id)?;
    match asset.entries(&first) {
        (_, Some(sell)) => {
            transaction::insert_with_id(conn, user_id, id, &sell, Some(asset.source_id))
        }
        (_, None) => Ok(()),
    }
}

/// How an option did, as Django recorded it.
#[derive(Debug, Clone, Copy)]
pub struct Score {
    pub percent_change: PercentChange,
    pub rank: i32,
}

/// A Django game option with what it recorded.
#[derive(Debug)]
pub struct ImportedOption {
    pub sunday: Sunday,
    pub ticker: Ticker,
    pub start_price: Option<Price>,
    pub end_price: Option<Price>,
    pub score: Option<Score>,
}

#[derive(Insertable)]
#[diesel(table_name = options)]
struct ImportedOptionRow<'a> {
    id: i64,
    sunday: NaiveDate,
    ticker: &'a str,
    start_price: Option<DbDecimal>,
    end_price: Option<DbDecimal>,
    percent_change: Option<DbDecimal>,
    rank: Option<i32>,
}

pub fn insert_option(conn: &mut DbConn, id: i64, option: &ImportedOption) -> QueryResult<()> {
    let price = |price: Option<Price>| price.map(|p| DbDecimal(p.value()));
    let row = ImportedOptionRow {
        id,
        sunday: option.sunday.date(),
        ticker: option.ticker.as_str(),
        start_price: price(option.start_price),
        end_price: price(option.end_price),
        percent_change: option.score.map(|s| DbDecimal(s.percent_change.value())),
        rank: option.score.map(|s| s.rank),
    };
    with_conn!(conn, |c| diesel::insert_into(options::table)
        .values(&row)
        .execute(c))?;
    Ok(())
}

/// When an imported week that is already over started and closed, so the scheduler, which
/// catches up on weeks not marked so, never prices it with today's quotes.
#[derive(Debug, Clone, Copy)]
pub struct WeekMarkers {
    pub started_at: NaiveDateTime,
    pub closed_at: NaiveDateTime,
}

pub fn insert_week(
    conn: &mut DbConn,
    sunday: Sunday,
    markers: Option<WeekMarkers>,
) -> QueryResult<()> {
    let row = (
        weeks::sunday.eq(sunday.date()),
        weeks::started_at.eq(markers.map(|m| m.started_at)),
        weeks::closed_at.eq(markers.map(|m| m.closed_at)),
    );
    with_conn!(conn, |c| diesel::insert_into(weeks::table)
        .values(row)
        .execute(c))?;
    Ok(())
}

#[derive(Insertable)]
#[diesel(table_name = selections)]
struct ImportedSelectionRow {
    id: i64,
    #[diesel(embed)]
    pick: NewSelection,
}

pub fn insert_selection(conn: &mut DbConn, id: i64, pick: NewSelection) -> QueryResult<()> {
    let row = ImportedSelectionRow { id, pick };
    with_conn!(conn, |c| diesel::insert_into(selections::table)
        .values(&row)
        .execute(c))?;
    Ok(())
}

/// Every account: (id, username key, Django id when imported).
pub fn existing_users(conn: &mut DbConn) -> QueryResult<Vec<(i64, String, Option<i64>)>> {
    with_conn!(conn, |c| users::table
        .select((users::id, users::username_key, users::source_id))
        .load(c))
}

/// A transaction as a holding's stable key sees it.
pub type ExistingAsset = (
    i64,
    i64,
    String,
    String,
    DbDecimal,
    DbDecimal,
    NaiveDate,
    Option<i64>,
);

/// Every transaction as a holding's key sees it: (id, owner, type, ticker, quantity, price,
/// date, Django id when imported); a type without a quantity or price has zeros there.
pub fn existing_assets(conn: &mut DbConn) -> QueryResult<Vec<ExistingAsset>> {
    type Stored = (
        i64,
        i64,
        String,
        String,
        Option<DbDecimal>,
        Option<DbDecimal>,
        NaiveDate,
        Option<i64>,
    );
    let rows: Vec<Stored> = with_conn!(conn, |c| transactions::table
        .select((
            transactions::id,
            transactions::user_id,
            transactions::kind,
            transactions::ticker,
            transactions::quantity,
            transactions::price,
            transactions::date,
            transactions::source_id,
        ))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(id, owner, kind, ticker, quantity, price, date, source)| {
            let zero = DbDecimal(Decimal::ZERO);
            (
                id,
                owner,
                kind,
                ticker,
                quantity.unwrap_or(zero),
                price.unwrap_or(zero),
                date,
                source,
            )
        })
        .collect())
}

/// Every option: (id, its week's Sunday, ticker).
pub fn existing_options(conn: &mut DbConn) -> QueryResult<Vec<(i64, NaiveDate, String)>> {
    with_conn!(conn, |c| options::table
        .select((options::id, options::sunday, options::ticker))
        .load(c))
}

/// A pick as its stable key and its week's slots see it: (id, player, option, week, slot).
pub type ExistingSelection = (i64, i64, i64, NaiveDate, i16);

pub fn existing_selections(conn: &mut DbConn) -> QueryResult<Vec<ExistingSelection>> {
    with_conn!(conn, |c| selections::table
        .select((
            selections::id,
            selections::user_id,
            selections::option_id,
            selections::sunday,
            selections::slot,
        ))
        .load(c))
}

pub fn existing_weeks(conn: &mut DbConn) -> QueryResult<Vec<NaiveDate>> {
    with_conn!(conn, |c| weeks::table.select(weeks::sunday).load(c))
}

/// Moves each table's id sequence past its highest id, never back, so rows made after the
/// import do not run into imported ids. PostgreSQL only: rows given ids leave its sequences
/// behind, while SQLite's AUTOINCREMENT counter follows every inserted id by itself.
pub fn move_sequences_past_ids(conn: &mut DbConn, tables: &[&str]) -> QueryResult<()> {
    let DbConn::Postgres(conn) = conn else {
        return Ok(());
    };
    for table in tables {
        conn.batch_execute(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(MAX(id), \
             COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')::regclass), 0))) \
             FROM {table} HAVING MAX(id) IS NOT NULL"
        ))?;
    }
    Ok(())
}
