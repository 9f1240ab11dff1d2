//! The failed-login counters behind the login throttle (see `auth::throttle` for the policy),
//! and the addresses each account has logged in from. Every write is a single upsert or update,
//! so api processes sharing the database count together without losing increments.

use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::db::schema::login_known_addresses;
use crate::db::schema::login_throttles::dsl::*;
use crate::db::DbConn;
use crate::with_conn;

/// What a counter is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A username key, from every address together.
    Username,
    /// A client address (its throttle key).
    Ip,
    /// A username key from one address: [`pair_key`].
    Pair,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Ip => "ip",
            Self::Pair => "pair",
        }
    }
}

/// The key of a (username, address) counter. A username key has no space in it, so the two
/// parts never run into each other.
pub fn pair_key(username_key: &str, address: &str) -> String {
    format!("{username_key} {address}")
}

/// Records that `user` logged in from `address` at `now`.
pub fn remember_address(conn: &mut DbConn, user: i64, address: &str, now: i64) -> QueryResult<()> {
    use login_known_addresses::dsl as known;
    with_conn!(conn, |c| diesel::insert_into(known::login_known_addresses)
        .values((
            known::user_id.eq(user),
            known::address.eq(address),
            known::last_success_at.eq(now),
        ))
        .on_conflict((known::user_id, known::address))
        .do_update()
        .set(known::last_success_at.eq(excluded(known::last_success_at)))
        .execute(c))?;
    Ok(())
}

/// Whether `user` logged in from `address` at `since` or later.
pub fn is_known_address(
    conn: &mut DbConn,
    user: i64,
    address: &str,
    since: i64,
) -> QueryResult<bool> {
    use login_known_addresses::dsl as known;
    let found: Option<i64> = with_conn!(conn, |c| known::login_known_addresses
        .filter(known::user_id.eq(user))
        .filter(known::address.eq(address))
        .filter(known::last_success_at.ge(since))
        .select(known::last_success_at)
        .first(c)
        .optional())?;
    Ok(found.is_some())
}

/// Forgets the addresses last used before `before`; returns how many.
pub fn prune_addresses(conn: &mut DbConn, before: i64) -> QueryResult<usize> {
    use login_known_addresses::dsl as known;
    with_conn!(conn, |c| diesel::delete(known::login_known_addresses)
        .filter(known::last_success_at.lt(before))
        .execute(c))
}

/// The latest `locked_until` (unix seconds) of the given counters that is still after `now`.
pub fn locked_until_after(
    conn: &mut DbConn,
    counters: &[(Scope, &str)],
    now: i64,
) -> QueryResult<Option<i64>> {
    let mut latest = None;
    for (which, subject) in counters {
        let until: Option<i64> = with_conn!(conn, |c| login_throttles
            .filter(scope.eq(which.as_str()))
            .filter(key.eq(*subject))
            .filter(locked_until.gt(now))
            .select(locked_until)
            .first(c)
            .optional())?;
        latest = latest.max(until);
    }
    Ok(latest)
}

/// Counts one failure and returns the count. A counter with no failure since `forget_before`
/// and no lock still running starts again from one.
pub fn record_failure(
    conn: &mut DbConn,
    which: Scope,
    subject: &str,
    now: i64,
    forget_before: i64,
) -> QueryResult<i32> {
    let forgotten = last_failure_at.lt(forget_before).and(locked_until.le(now));
    with_conn!(conn, |c| diesel::insert_into(login_throttles)
        .values((
            scope.eq(which.as_str()),
            key.eq(subject),
            failures.eq(1),
            last_failure_at.eq(now),
        ))
        .on_conflict((scope, key))
        .do_update()
        .set((
            failures
                .eq(case_when::<_, _, diesel::sql_types::Integer>(forgotten, 1)
                    .otherwise(failures + 1)),
            last_failure_at.eq(excluded(last_failure_at)),
        ))
        .returning(failures)
        .get_result(c))
}

/// Locks the counter until `until`, unless it is locked longer already.
pub fn lock(conn: &mut DbConn, which: Scope, subject: &str, until: i64) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(login_throttles)
        .filter(scope.eq(which.as_str()))
        .filter(key.eq(subject))
        .filter(locked_until.lt(until))
        .set(locked_until.eq(until))
        .execute(c))?;
    Ok(())
}

/// Forgets a counter (a successful login resets its pair's count).
pub fn clear(conn: &mut DbConn, which: Scope, subject: &str) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::delete(login_throttles)
        .filter(scope.eq(which.as_str()))
        .filter(key.eq(subject))
        .execute(c))?;
    Ok(())
}

/// Deletes the counters that [`record_failure`] would start again from one; returns how many.
pub fn prune(conn: &mut DbConn, now: i64, forget_before: i64) -> QueryResult<usize> {
    with_conn!(conn, |c| diesel::delete(login_throttles)
        .filter(last_failure_at.lt(forget_before))
        .filter(locked_until.le(now))
        .execute(c))
}
