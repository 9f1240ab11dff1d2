//! The failed-login counters behind the login throttle (see `auth::throttle` for the policy).
//! Every write is a single upsert or update, so api processes sharing the database count
//! together without losing increments.

use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::db::schema::login_throttles::dsl::*;
use crate::db::DbConn;
use crate::with_conn;

/// What a counter is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Username,
    Ip,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Ip => "ip",
        }
    }
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

/// Forgets a counter (a successful login resets its username's count).
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
