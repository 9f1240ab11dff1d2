//! Sessions: one row per login, the family every token of that login belongs to. A session
//! ends by deleting its row (logout, a password change, a reused refresh token, the account's
//! deletion through the foreign key); rows past their expiry are pruned. Times are unix seconds,
//! the tokens' unit.

use diesel::prelude::*;

use crate::db::schema::{sessions, users};
use crate::db::DbConn;
use crate::with_conn;

/// A new session of `user_id` at generation 0; returns its id.
pub fn create(conn: &mut DbConn, user_id: i64, now: i64, expires_at: i64) -> QueryResult<i64> {
    with_conn!(conn, |c| diesel::insert_into(sessions::table)
        .values((
            sessions::user_id.eq(user_id),
            sessions::generation.eq(0),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(expires_at),
        ))
        .returning(sessions::id)
        .get_result(c))
}

/// Moves the session from `generation` to the next one, if it is at `generation`, unexpired and
/// its account active; whether it did. Being one conditional update, two uses of the same
/// refresh token cannot both succeed, whichever replicas they reach.
pub fn advance(
    conn: &mut DbConn,
    session_id: i64,
    user_id: i64,
    generation: i64,
    now: i64,
    expires_at: i64,
) -> QueryResult<bool> {
    let active_users = users::table
        .filter(users::is_active.eq(true))
        .select(users::id);
    let updated = with_conn!(conn, |c| diesel::update(sessions::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::generation.eq(generation))
        // Live through its expiry second, as the refresh token itself is (its `exp` check).
        .filter(sessions::expires_at.ge(now))
        .filter(sessions::user_id.eq_any(active_users))
        .set((
            sessions::generation.eq(sessions::generation + 1),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(c))?;
    Ok(updated == 1)
}

/// Ends one session; returns the generation it had reached, if it still existed.
pub fn end(conn: &mut DbConn, session_id: i64, user_id: i64) -> QueryResult<Option<i64>> {
    with_conn!(conn, |c| diesel::delete(sessions::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::user_id.eq(user_id))
        .returning(sessions::generation)
        .get_result(c)
        .optional())
}

/// Ends every session of the user; returns how many there were.
pub fn end_all(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    with_conn!(conn, |c| diesel::delete(sessions::table)
        .filter(sessions::user_id.eq(user_id))
        .execute(c))
}

/// The account behind a live session, as `(is_active, is_staff)`: the one query that checks an
/// access token's account and session together.
pub fn account(
    conn: &mut DbConn,
    session_id: i64,
    user_id: i64,
) -> QueryResult<Option<(bool, bool)>> {
    with_conn!(conn, |c| sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::user_id.eq(user_id))
        .select((users::is_active, users::is_staff))
        .first(c)
        .optional())
}

/// Deletes every session past its expiry; returns how many.
pub fn prune(conn: &mut DbConn, now: i64) -> QueryResult<usize> {
    with_conn!(conn, |c| diesel::delete(sessions::table)
        .filter(sessions::expires_at.lt(now))
        .execute(c))
}
