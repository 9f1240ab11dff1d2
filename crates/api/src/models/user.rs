use chrono::Utc;
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
    pub email: String,
    pub password_hash: String,
    pub is_staff: bool,
    pub is_active: bool,
}

/// An account about to be created; the password is already hashed.
pub struct NewUser {
    pub username: Username,
    pub email: Email,
    pub password_hash: String,
    pub is_staff: bool,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUserRow<'a> {
    username: &'a str,
    username_key: String,
    email: &'a str,
    password_hash: &'a str,
    is_staff: bool,
    is_superuser: bool,
    date_joined: chrono::NaiveDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("username taken")]
    UsernameTaken,
    #[error(transparent)]
    Database(#[from] DieselError),
}

/// Inserts the account; a case-insensitive duplicate is reported as `UsernameTaken` by the
/// database's unique key, so two racing registrations cannot both succeed.
pub fn create(conn: &mut DbConn, new: &NewUser) -> Result<User, CreateUserError> {
    let row = NewUserRow {
        username: new.username.as_str(),
        username_key: new.username.key(),
        email: new.email.as_str(),
        password_hash: &new.password_hash,
        is_staff: new.is_staff,
        is_superuser: new.is_staff,
        date_joined: Utc::now().naive_utc(),
    };
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

pub fn find_by_key(conn: &mut DbConn, username_key: &str) -> QueryResult<Option<User>> {
    with_conn!(conn, |c| users::table
        .filter(users::username_key.eq(username_key))
        .select(User::as_select())
        .first(c)
        .optional())
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<User>> {
    with_conn!(conn, |c| users::table
        .find(id)
        .select(User::as_select())
        .first(c)
        .optional())
}
