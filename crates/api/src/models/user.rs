use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::schema::users;
use crate::db::DbConn;
use crate::domain::{Email, Username};
use crate::with_conn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub username: String,
    /// See [`Username::key`].
    pub username_key: String,
    pub email: String,
    pub password_hash: String,
    pub is_staff: bool,
    pub is_active: bool,
    pub date_joined: chrono::NaiveDateTime,
    /// The ISO 4217 code the user's figures are reported in.
    pub base_currency: String,
}

/// An account about to be created; the password is already hashed.
pub struct NewUser {
    pub username: Username,
    pub email: Email,
    pub password_hash: String,
    pub is_staff: bool,
}

/// The columns every account has, whether registered here or imported.
#[derive(Insertable)]
#[diesel(table_name = users)]
pub(super) struct NewUserRow<'a> {
    username: &'a str,
    username_key: String,
    username_skeleton: String,
    email: &'a str,
    password_hash: &'a str,
    is_staff: bool,
    is_superuser: bool,
    date_joined: NaiveDateTime,
}

impl<'a> NewUserRow<'a> {
    pub(super) fn new(
        username: &'a Username,
        email: &'a Email,
        password_hash: &'a str,
        is_staff: bool,
        is_superuser: bool,
        date_joined: NaiveDateTime,
    ) -> Self {
        Self {
            username: username.as_str(),
            username_key: username.key(),
            username_skeleton: username.skeleton(),
            email: email.as_str(),
            password_hash,
            is_staff,
            is_superuser,
            date_joined,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("username taken")]
    UsernameTaken,
    #[error(transparent)]
    Database(#[from] DieselError),
}

/// Inserts the account; a name whose key or skeleton is taken is reported as `UsernameTaken`
/// by the database's unique keys, so two racing registrations cannot both succeed.
/// How many accounts there are.
pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    with_conn!(conn, |c| users::table.count().get_result(c))
}

pub fn create(conn: &mut DbConn, new: &NewUser) -> Result<User, CreateUserError> {
    let row = NewUserRow::new(
        &new.username,
        &new.email,
        &new.password_hash,
        new.is_staff,
        new.is_staff,
        Utc::now().naive_utc(),
    );
    let inserted = with_conn!(conn, |c| diesel::insert_into(users::table)
        .values(&row)
        .returning(User::as_returning())
        .get_result(c));
    inserted.map_err(|err| match err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            CreateUserError::UsernameTaken
        }
        other => other.into(),
    })
}

/// Why a new name cannot be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameInUse {
    /// The same name, give or take case.
    Same,
    /// A different name that looks the same.
    LookAlike,
}

pub fn name_in_use(conn: &mut DbConn, name: &Username) -> QueryResult<Option<NameInUse>> {
    let key = name.key();
    let found: Option<String> = with_conn!(conn, |c| users::table
        .filter(
            users::username_key
                .eq(&key)
                .or(users::username_skeleton.eq(name.skeleton())),
        )
        .select(users::username_key)
        .first(c)
        .optional())?;
    Ok(found.map(|found| {
        if found == key {
            NameInUse::Same
        } else {
            NameInUse::LookAlike
        }
    }))
}

pub fn find_by_key(conn: &mut DbConn, username_key: &str) -> QueryResult<Option<User>> {
    with_conn!(conn, |c| users::table
        .filter(users::username_key.eq(username_key))
        .select(User::as_select())
        .first(c)
        .optional())
}

pub fn set_password_hash(conn: &mut DbConn, id: i64, password_hash: &str) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(users::table.find(id))
        .set(users::password_hash.eq(password_hash))
        .execute(c))?;
    Ok(())
}

/// Deletes the account; its holdings, picks and sessions go with it (cascading foreign keys).
pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::delete(users::table.find(id)).execute(c))?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<User>> {
    with_conn!(conn, |c| users::table
        .find(id)
        .select(User::as_select())
        .first(c)
        .optional())
}

/// Replaces the account's password hash with `new` (an imported hash upgraded at login),
/// unless it is no longer `old`: a password change in between wins. Whether it was replaced.
pub fn replace_password_hash(
    conn: &mut DbConn,
    id: i64,
    old: &str,
    new: &str,
) -> QueryResult<bool> {
    let replaced = with_conn!(conn, |c| diesel::update(
        users::table.filter(users::id.eq(id).and(users::password_hash.eq(old)))
    )
    .set(users::password_hash.eq(new))
    .execute(c))?;
    Ok(replaced == 1)
}

/// The stored password hashes that are not ours (Argon2id PHC strings start with `$`):
/// imported Django hashes whose owner has not logged in since.
pub fn imported_password_hashes(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    with_conn!(conn, |c| users::table
        .filter(users::password_hash.not_like("$%"))
        .select(users::password_hash)
        .load(c))
}

/// Sets the currency `id`'s figures are reported in.
pub fn set_base_currency(
    conn: &mut DbConn,
    id: i64,
    currency: &crate::domain::CurrencyCode,
) -> QueryResult<bool> {
    let updated = with_conn!(conn, |c| diesel::update(users::table.find(id))
        .set(users::base_currency.eq(currency.as_str()))
        .execute(c))?;
    Ok(updated == 1)
}
