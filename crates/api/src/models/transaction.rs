//! The ledger's rows: one per BUY, SELL, DIVIDEND or SPLIT, owned through its account. Every
//! query takes the owner, and a write names an account the owner has, so nobody reads or
//! writes into someone else's ledger.

use chrono::NaiveDate;
use diesel::prelude::*;
use rust_decimal::Decimal;

use crate::db::schema::transactions;
use crate::db::sql_types::DbDecimal;
use crate::db::DbConn;
use crate::domain::TransactionType;
use crate::ledger::{self, Event, Trade};
use crate::with_conn;

/// A transaction as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = transactions)]
pub struct TransactionRow {
    pub id: i64,
    pub user_id: i64,
    pub account_id: i64,
    pub kind: String,
    pub ticker: String,
    pub date: NaiveDate,
    pub quantity: Option<DbDecimal>,
    pub price: Option<DbDecimal>,
    pub fee: Option<DbDecimal>,
    pub amount: Option<DbDecimal>,
    pub ratio: Option<DbDecimal>,
    pub currency: String,
    pub note: Option<String>,
    pub source_id: Option<i64>,
}

/// A transaction's content, valid: what a create writes and an edit replaces.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub account_id: i64,
    pub ticker: String,
    pub date: NaiveDate,
    pub event: Event,
    pub currency: String,
    pub note: Option<String>,
}

impl Entry {
    pub fn kind(&self) -> TransactionType {
        self.event.kind()
    }

    /// The entry as the ledger sees it, under `id`.
    pub fn trade(&self, id: i64) -> Trade {
        Trade {
            id,
            account: self.account_id,
            ticker: self.ticker.clone(),
            date: self.date,
            event: self.event,
            currency: self.currency.clone(),
        }
    }
}

/// The row is not a transaction the ledger can read (the database's checks make this a bug).
#[derive(Debug, thiserror::Error)]
#[error("transaction {0} has columns its type does not allow")]
pub struct Malformed(pub i64);

impl TransactionRow {
    pub fn event(&self) -> Result<Event, Malformed> {
        let value = |column: Option<DbDecimal>| column.map(|d| d.0).ok_or(Malformed(self.id));
        let kind = TransactionType::parse(&self.kind).map_err(|_| Malformed(self.id))?;
        Ok(match kind {
            TransactionType::Buy => Event::Buy {
                quantity: value(self.quantity)?,
                price: value(self.price)?,
                fee: value(self.fee)?,
            },
            TransactionType::Sell => Event::Sell {
                quantity: value(self.quantity)?,
                price: value(self.price)?,
                fee: value(self.fee)?,
            },
            TransactionType::Dividend => Event::Dividend {
                amount: value(self.amount)?,
            },
            TransactionType::Split => Event::Split {
                ratio: value(self.ratio)?,
            },
        })
    }

    pub fn entry(&self) -> Result<Entry, Malformed> {
        Ok(Entry {
            account_id: self.account_id,
            ticker: self.ticker.clone(),
            date: self.date,
            event: self.event()?,
            currency: self.currency.clone(),
            note: self.note.clone(),
        })
    }

    pub fn trade(&self) -> Result<Trade, Malformed> {
        Ok(self.entry()?.trade(self.id))
    }
}

/// Every column an entry sets; a change rewrites them all, so a new type clears the old
/// type's columns.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = transactions, treat_none_as_null = true)]
struct Columns<'a> {
    user_id: i64,
    account_id: i64,
    kind: &'static str,
    ticker: &'a str,
    date: NaiveDate,
    quantity: Option<DbDecimal>,
    price: Option<DbDecimal>,
    fee: Option<DbDecimal>,
    amount: Option<DbDecimal>,
    ratio: Option<DbDecimal>,
    currency: &'a str,
    note: Option<&'a str>,
}

impl<'a> Columns<'a> {
    fn new(owner: i64, entry: &'a Entry) -> Self {
        let figures = entry.event.figures();
        let db = |value: Option<Decimal>| value.map(DbDecimal);
        Self {
            user_id: owner,
            account_id: entry.account_id,
            kind: entry.kind().as_str(),
            ticker: &entry.ticker,
            date: entry.date,
            quantity: db(figures.quantity),
            price: db(figures.price),
            fee: db(figures.fee),
            amount: db(figures.amount),
            ratio: db(figures.ratio),
            currency: &entry.currency,
            note: entry.note.as_deref(),
        }
    }
}

/// Which of the owner's transactions to list; `None` is no filter.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub account: Option<i64>,
    pub ticker: Option<String>,
    pub kind: Option<TransactionType>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The owner's transactions matching `filter`, by date, then as entered.
pub fn list_for(
    conn: &mut DbConn,
    owner: i64,
    filter: &Filter,
) -> QueryResult<Vec<TransactionRow>> {
    with_conn!(conn, |c| {
        let mut query = transactions::table
            .filter(transactions::user_id.eq(owner))
            .select(TransactionRow::as_select())
            .order((transactions::date, transactions::id))
            .into_boxed();
        if let Some(account) = filter.account {
            query = query.filter(transactions::account_id.eq(account));
        }
        if let Some(ticker) = &filter.ticker {
            query = query.filter(transactions::ticker.eq(ticker.clone()));
        }
        if let Some(kind) = filter.kind {
            query = query.filter(transactions::kind.eq(kind.as_str()));
        }
        if let Some(from) = filter.from {
            query = query.filter(transactions::date.ge(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(transactions::date.le(to));
        }
        query.load(c)
    })
}

pub fn find_for(conn: &mut DbConn, owner: i64, id: i64) -> QueryResult<Option<TransactionRow>> {
    with_conn!(conn, |c| transactions::table
        .filter(transactions::id.eq(id).and(transactions::user_id.eq(owner)))
        .select(TransactionRow::as_select())
        .first(c)
        .optional())
}

pub fn create(conn: &mut DbConn, owner: i64, entry: &Entry) -> QueryResult<TransactionRow> {
    let columns = Columns::new(owner, entry);
    with_conn!(conn, |c| diesel::insert_into(transactions::table)
        .values(&columns)
        .returning(TransactionRow::as_returning())
        .get_result(c))
}

/// Inserts `entry` under a given id (an import keeping its source's ids).
pub fn insert_with_id(
    conn: &mut DbConn,
    owner: i64,
    id: i64,
    entry: &Entry,
    source_id: Option<i64>,
) -> QueryResult<()> {
    let columns = Columns::new(owner, entry);
    with_conn!(conn, |c| diesel::insert_into(transactions::table)
        .values((
            transactions::id.eq(id),
            transactions::source_id.eq(source_id),
            &columns,
        ))
        .execute(c))?;
    Ok(())
}

/// Replaces the owner's transaction `id` with `entry`; `None` when the owner has no such one.
pub fn replace_for(
    conn: &mut DbConn,
    owner: i64,
    id: i64,
    entry: &Entry,
) -> QueryResult<Option<TransactionRow>> {
    let columns = Columns::new(owner, entry);
    with_conn!(conn, |c| diesel::update(transactions::table.filter(
        transactions::id.eq(id).and(transactions::user_id.eq(owner))
    ))
    .set(&columns)
    .returning(TransactionRow::as_returning())
    .get_result(c)
    .optional())
}

/// Deletes the owner's transaction; `false` when the owner has no such one.
pub fn delete_for(conn: &mut DbConn, owner: i64, id: i64) -> QueryResult<bool> {
    let deleted = with_conn!(conn, |c| diesel::delete(
        transactions::table.filter(transactions::id.eq(id).and(transactions::user_id.eq(owner)))
    )
    .execute(c))?;
    Ok(deleted > 0)
}

/// The owner's ledger (one account's, or every account's) as trades in the ledger's order.
pub fn trades_for(
    conn: &mut DbConn,
    owner: i64,
    account: Option<i64>,
) -> Result<Vec<Trade>, LoadError> {
    let filter = Filter {
        account,
        ..Filter::default()
    };
    let mut trades = list_for(conn, owner, &filter)?
        .iter()
        .map(TransactionRow::trade)
        .collect::<Result<Vec<_>, _>>()?;
    ledger::sort(&mut trades);
    Ok(trades)
}

/// The trades of one account's ticker, in the ledger's order: what a change to one
/// transaction can affect.
pub fn trades_of_holding(
    conn: &mut DbConn,
    account: i64,
    ticker: &str,
) -> Result<Vec<Trade>, LoadError> {
    let rows: Vec<TransactionRow> = with_conn!(conn, |c| transactions::table
        .filter(
            transactions::account_id
                .eq(account)
                .and(transactions::ticker.eq(ticker))
        )
        .select(TransactionRow::as_select())
        .load(c))?;
    let mut trades = rows
        .iter()
        .map(TransactionRow::trade)
        .collect::<Result<Vec<_>, _>>()?;
    ledger::sort(&mut trades);
    Ok(trades)
}

/// Every ticker anyone has a transaction in, once each.
pub fn all_tickers(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    with_conn!(conn, |c| transactions::table
        .select(transactions::ticker)
        .distinct()
        .load(c))
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Malformed(#[from] Malformed),
}

/// Why a write to the ledger was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The change would leave a SELL selling more than its account held then.
    #[error(transparent)]
    Short(ledger::lots::Short),
    #[error(transparent)]
    Overflow(#[from] ledger::Overflow),
    #[error(transparent)]
    Load(#[from] LoadError),
}

impl From<diesel::result::Error> for WriteError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Load(err.into())
    }
}

/// Replays the given holdings' trades as they stand now: any SELL short is an error, and the
/// caller's write transaction rolls the change back.
pub fn check(conn: &mut DbConn, holdings: &[(i64, &str)]) -> Result<(), WriteError> {
    for (account, ticker) in holdings {
        let trades = trades_of_holding(conn, *account, ticker)?;
        ledger::lots::Book::replay(&trades).map_err(|err| match err {
            ledger::lots::LedgerError::Short(short) => WriteError::Short(short),
            ledger::lots::LedgerError::Overflow(overflow) => WriteError::Overflow(overflow),
        })?;
    }
    Ok(())
}

/// Creates `entry` if the ledger stays valid. Call it in a write transaction.
pub fn create_checked(
    conn: &mut DbConn,
    owner: i64,
    entry: &Entry,
) -> Result<TransactionRow, WriteError> {
    let row = create(conn, owner, entry)?;
    check(conn, &[(entry.account_id, &entry.ticker)])?;
    Ok(row)
}

/// Replaces the owner's transaction `id` with `entry` if the ledger stays valid, both where
/// the transaction was and where it goes. Call it in a write transaction.
pub fn replace_checked(
    conn: &mut DbConn,
    owner: i64,
    before: &TransactionRow,
    entry: &Entry,
) -> Result<Option<TransactionRow>, WriteError> {
    let Some(row) = replace_for(conn, owner, before.id, entry)? else {
        return Ok(None);
    };
    check(
        conn,
        &[
            (before.account_id, &before.ticker),
            (entry.account_id, &entry.ticker),
        ],
    )?;
    Ok(Some(row))
}

/// Deletes the owner's transaction if the ledger stays valid; `false` when the owner has no
/// such one. Call it in a write transaction.
pub fn delete_checked(
    conn: &mut DbConn,
    owner: i64,
    before: &TransactionRow,
) -> Result<bool, WriteError> {
    if !delete_for(conn, owner, before.id)? {
        return Ok(false);
    }
    check(conn, &[(before.account_id, &before.ticker)])?;
    Ok(true)
}
