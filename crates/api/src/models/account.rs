//! A user's brokerage accounts. Every user has one from the start (`Main`, in USD: a database
//! trigger makes it with the user, whichever way the user is made) and always keeps one.

use chrono::Utc;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::schema::{accounts, transactions};
use crate::db::DbConn;
use crate::domain::{AccountName, CurrencyCode};
use crate::with_conn;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub currency: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the owner has an account of that name")]
    NameTaken,
    #[error("the account holds transactions")]
    NotEmpty,
    #[error("an owner keeps at least one account")]
    LastOne,
    #[error(transparent)]
    Database(#[from] DieselError),
}

fn name_taken(err: DieselError) -> AccountError {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            AccountError::NameTaken
        }
        other => other.into(),
    }
}

/// The owner's accounts, oldest first.
pub fn list_for(conn: &mut DbConn, owner: i64) -> QueryResult<Vec<Account>> {
    with_conn!(conn, |c| accounts::table
        .filter(accounts::user_id.eq(owner))
        .order(accounts::id)
        .select(Account::as_select())
        .load(c))
}

pub fn find_for(conn: &mut DbConn, owner: i64, id: i64) -> QueryResult<Option<Account>> {
    with_conn!(conn, |c| accounts::table
        .filter(accounts::id.eq(id).and(accounts::user_id.eq(owner)))
        .select(Account::as_select())
        .first(c)
        .optional())
}

/// The owner's first account: the one the old clients' holdings live in. Made (as `Main`) if
/// the owner has none, which only a database edited by hand can lead to.
pub fn first_for(conn: &mut DbConn, owner: i64) -> QueryResult<Account> {
    if let Some(first) = list_for(conn, owner)?.into_iter().next() {
        return Ok(first);
    }
    let main = AccountName::parse("Main").expect("a valid name");
    let usd = CurrencyCode::parse(CurrencyCode::USD).expect("a valid code");
    create(conn, owner, &main, &usd).map_err(|err| match err {
        AccountError::Database(err) => err,
        other => DieselError::QueryBuilderError(other.to_string().into()),
    })
}

pub fn create(
    conn: &mut DbConn,
    owner: i64,
    name: &AccountName,
    currency: &CurrencyCode,
) -> Result<Account, AccountError> {
    let now = Utc::now().naive_utc();
    with_conn!(conn, |c| diesel::insert_into(accounts::table)
        .values((
            accounts::user_id.eq(owner),
            accounts::name.eq(name.as_str()),
            accounts::currency.eq(currency.as_str()),
            accounts::created_at.eq(now),
        ))
        .returning(Account::as_returning())
        .get_result(c))
    .map_err(name_taken)
}

/// Renames the owner's account; `None` when the owner has no such account.
pub fn rename_for(
    conn: &mut DbConn,
    owner: i64,
    id: i64,
    name: &AccountName,
) -> Result<Option<Account>, AccountError> {
    with_conn!(conn, |c| diesel::update(
        accounts::table.filter(accounts::id.eq(id).and(accounts::user_id.eq(owner)))
    )
    .set(accounts::name.eq(name.as_str()))
    .returning(Account::as_returning())
    .get_result(c)
    .optional())
    .map_err(name_taken)
}

/// Deletes the owner's empty account; `Ok(false)` when the owner has no such account. Call it
/// in a write transaction: the checks and the deletion must see the same rows.
pub fn delete_for(conn: &mut DbConn, owner: i64, id: i64) -> Result<bool, AccountError> {
    let owned = list_for(conn, owner)?;
    if !owned.iter().any(|account| account.id == id) {
        return Ok(false);
    }
    let used: i64 = with_conn!(conn, |c| transactions::table
        .filter(transactions::account_id.eq(id))
        .count()
        .get_result(c))?;
    if used > 0 {
        return Err(AccountError::NotEmpty);
    }
    if owned.len() == 1 {
        return Err(AccountError::LastOne);
    }
    with_conn!(conn, |c| diesel::delete(
        accounts::table.filter(accounts::id.eq(id).and(accounts::user_id.eq(owner)))
    )
    .execute(c))?;
    Ok(true)
}
