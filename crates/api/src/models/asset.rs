//! Holdings, as the old clients know them: a view of the BUYs in the owner's first account,
//! `shares` being the quantity, `costbasis` the price and `buy` the date. Writing a holding
//! writes that BUY (without a fee), under the ledger's checks: a holding cannot be shrunk or
//! deleted below what later sales in the account took.

use chrono::NaiveDate;
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::account;
use super::transaction::{self, Entry, TransactionRow, WriteError};
use crate::db::schema::{accounts, transactions};
use crate::db::sql_types::DbDecimal;
use crate::db::DbConn;
use crate::domain::money::at_least;
use crate::domain::{BuyDate, CostBasis, Shares, Ticker, TransactionType};
use crate::ledger::Event;
use crate::with_conn;

/// A holding as the old clients see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub id: i64,
    pub user_id: i64,
    pub ticker: String,
    /// At least 5 places, as the old column (more when the ledger holds more).
    pub shares: DbDecimal,
    /// At least 2 places, as the old column (more when the ledger holds more).
    pub costbasis: DbDecimal,
    pub buy: NaiveDate,
}

impl TryFrom<TransactionRow> for Asset {
    type Error = WriteError;

    fn try_from(row: TransactionRow) -> Result<Self, WriteError> {
        let Event::Buy {
            quantity, price, ..
        } = row.event().map_err(|err| WriteError::Load(err.into()))?
        else {
            return Err(WriteError::Load(transaction::Malformed(row.id).into()));
        };
        Ok(Self {
            id: row.id,
            user_id: row.user_id,
            ticker: row.ticker,
            shares: DbDecimal(at_least(quantity, 5)),
            costbasis: DbDecimal(at_least(price, 2)),
            buy: row.date,
        })
    }
}

/// A holding about to be created.
#[derive(Debug)]
pub struct NewAsset {
    pub user_id: i64,
    pub ticker: Ticker,
    pub shares: Shares,
    pub costbasis: CostBasis,
    pub buy: BuyDate,
}

/// The fields a PATCH or PUT sets; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct AssetChanges {
    pub ticker: Option<Ticker>,
    pub shares: Option<Shares>,
    pub costbasis: Option<CostBasis>,
    pub buy: Option<BuyDate>,
}

/// The owner's first account's BUYs (one of them with `id`), in one query: the old clients'
/// list is the api's most frequent read.
fn rows(conn: &mut DbConn, owner: i64, id: Option<i64>) -> Result<Vec<TransactionRow>, WriteError> {
    let rows = with_conn!(conn, |c| {
        let first = accounts::table
            .filter(accounts::user_id.eq(owner))
            .select(diesel::dsl::min(accounts::id))
            .single_value();
        let mut query = transactions::table
            .filter(transactions::user_id.eq(owner))
            .filter(transactions::account_id.nullable().eq(first))
            .filter(transactions::kind.eq(TransactionType::Buy.as_str()))
            .select(TransactionRow::as_select())
            .order(transactions::id)
            .into_boxed();
        if let Some(id) = id {
            query = query.filter(transactions::id.eq(id));
        }
        query.load(c)
    })?;
    Ok(rows)
}

pub fn list_for(conn: &mut DbConn, owner: i64) -> Result<Vec<Asset>, WriteError> {
    rows(conn, owner, None)?
        .into_iter()
        .map(Asset::try_from)
        .collect()
}

fn find_row(conn: &mut DbConn, owner: i64, id: i64) -> Result<Option<TransactionRow>, WriteError> {
    Ok(rows(conn, owner, Some(id))?.into_iter().next())
}

pub fn find_for(conn: &mut DbConn, owner: i64, id: i64) -> Result<Option<Asset>, WriteError> {
    find_row(conn, owner, id)?.map(Asset::try_from).transpose()
}

/// Writes the holding as a BUY in the owner's first account. A BUY never makes the ledger
/// invalid, so there is nothing to check.
pub fn create(conn: &mut DbConn, new: &NewAsset) -> Result<Asset, WriteError> {
    let first = account::first_for(conn, new.user_id)?;
    let entry = Entry {
        account_id: first.id,
        ticker: new.ticker.as_str().to_owned(),
        date: new.buy.into_inner(),
        event: Event::Buy {
            quantity: new.shares.value(),
            price: new.costbasis.value(),
            fee: Decimal::ZERO,
        },
        currency: new.ticker.listing_currency().to_owned(),
        note: None,
    };
    Asset::try_from(transaction::create(conn, new.user_id, &entry)?)
}

/// Applies `changes` to the owner's holding (its fee and note stay); `None` when the owner has
/// no such holding. Call it in a write transaction.
pub fn update_for(
    conn: &mut DbConn,
    owner: i64,
    id: i64,
    changes: &AssetChanges,
) -> Result<Option<Asset>, WriteError> {
    let Some(before) = find_row(conn, owner, id)? else {
        return Ok(None);
    };
    let mut entry = before.entry().map_err(|err| WriteError::Load(err.into()))?;
    let Event::Buy {
        quantity,
        price,
        fee,
    } = entry.event
    else {
        return Ok(None);
    };
    entry.event = Event::Buy {
        quantity: changes.shares.map_or(quantity, Shares::value),
        price: changes.costbasis.map_or(price, CostBasis::value),
        fee,
    };
    if let Some(ticker) = &changes.ticker {
        entry.ticker = ticker.as_str().to_owned();
    }
    if let Some(buy) = changes.buy {
        entry.date = buy.into_inner();
    }
    transaction::replace_checked(conn, owner, &before, &entry)?
        .map(Asset::try_from)
        .transpose()
}

/// Deletes the owner's holding; `false` when the owner has no such holding. Call it in a
/// write transaction.
pub fn delete_for(conn: &mut DbConn, owner: i64, id: i64) -> Result<bool, WriteError> {
    match find_row(conn, owner, id)? {
        Some(before) => transaction::delete_checked(conn, owner, &before),
        None => Ok(false),
    }
}
