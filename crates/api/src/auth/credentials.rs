//! Checking a password for an account, the one way every endpoint that takes a password for an
//! existing account does it (logging in, changing the password, deleting the account).
//!
//! The database is never held while hashing: one short read (the throttle's locks and the
//! account row), then the verification on the [`Hasher`], then one short write (the
//! throttle's counters or the address the account logged in from, and an imported Django hash
//! replaced by our Argon2id). See `throttle` for which counters lock whom. A locked
//! username or address is refused before any hashing, and the answer for an unknown name is
//! the same as for a wrong password, throttle included. A checked attempt's answer waits for
//! the login floor (see `login_timing`), so its timing does not tell the hash kind either; that
//! wait is [`Checked::paced`], awaited after the hashing place is given back, so sleeping
//! logins never keep others from hashing.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use shared::client_ip::limit_key;

use super::password::Verification;
use super::throttle::ThrottlePolicy;
use super::{HashError, HashTicket, Hasher, LoginTiming};
use crate::db::{DbConn, DbError, DbPool};
use crate::domain::Username;
use crate::models::login_throttle::{self, Scope};
use crate::models::user::{self, User};

/// Whose password is being checked.
pub enum Account {
    /// A username as a client typed it (logging in).
    Named(String),
    /// The caller's own account (re-entering a password).
    Id(i64),
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("too many failed logins: locked for another {0:?}")]
    Throttled(Duration),
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error(transparent)]
    Hashing(#[from] HashError),
    #[error(transparent)]
    Database(#[from] DbError),
}

/// Shared by every worker of the server. Cheap to clone.
#[derive(Clone)]
pub struct Authenticator {
    pool: DbPool,
    hasher: Hasher,
    policy: ThrottlePolicy,
    timing: Arc<LoginTiming>,
}

impl Authenticator {
    pub fn new(
        pool: DbPool,
        hasher: Hasher,
        policy: ThrottlePolicy,
        timing: Arc<LoginTiming>,
    ) -> Self {
        Self {
            pool,
            hasher,
            policy,
            timing,
        }
    }

    /// A place in the hashing line for one request; see [`Hasher::admit`].
    pub fn admit(&self) -> Result<HashTicket, AuthError> {
        Ok(self.hasher.admit()?)
    }

    /// Checks `password` for the account; the outcome is in the [`Checked`] (an error here is
    /// an answer that needs no pacing: a lock-out, a busy or failing server).
    pub async fn check(
        &self,
        ticket: &HashTicket,
        account: Account,
        password: String,
        client: IpAddr,
    ) -> Result<Checked, AuthError> {
        let now = Utc::now().timestamp();
        let ip_key = throttle_key(client);
        let known_for = self.policy.known_for;
        let (found, username_key) = self
            .pool
            .run({
                let ip_key = ip_key.clone();
                move |conn| -> Result<_, AuthError> {
                    let (found, username_key) = match account {
                        Account::Named(raw) => match Username::parse(&raw) {
                            // A name no account can have (NUL bytes, say) is not even looked
                            // up: PostgreSQL refuses some of them outright.
                            Ok(name) => {
                                let key = name.key();
                                (
                                    user::find_by_key(conn, &key).map_err(DbError::from)?,
                                    Some(key),
                                )
                            }
                            Err(_) => (None, None),
                        },
                        Account::Id(id) => {
                            let found = user::find(conn, id).map_err(DbError::from)?;
                            let key = found.as_ref().map(|user| user.username_key.clone());
                            (found, key)
                        }
                    };
                    // The username's own limit spares the owner at an address the account
                    // logged in from: failures elsewhere never lock the owner out.
                    let known = match &found {
                        Some(user) => login_throttle::is_known_address(
                            conn,
                            user.id,
                            &ip_key,
                            now - secs(known_for),
                        )
                        .map_err(DbError::from)?,
                        None => false,
                    };
                    let pair = username_key
                        .as_deref()
                        .map(|key| login_throttle::pair_key(key, &ip_key));
                    let mut counters = vec![(Scope::Ip, ip_key.as_str())];
                    counters.extend(pair.as_deref().map(|pair| (Scope::Pair, pair)));
                    if !known {
                        counters.extend(username_key.as_deref().map(|key| (Scope::Username, key)));
                    }
                    if let Some(until) = login_throttle::locked_until_after(conn, &counters, now)
                        .map_err(DbError::from)?
                    {
                        let left = u64::try_from(until - now).unwrap_or(1);
                        return Err(AuthError::Throttled(Duration::from_secs(left)));
                    }
                    Ok((found, username_key))
                }
            })
            .await?;

        let started = Instant::now();
        let stored = found.as_ref().map(|user| user.password_hash.clone());
        let timing = self.timing.clone();
        let verification = ticket
            .run(move || match stored {
                Some(stored) => timing.check(&password, &stored),
                None => {
                    timing.check_nothing(&password);
                    Verification::Failed
                }
            })
            .await?;
        let accepted = found.filter(|user| verification.is_match() && user.is_active);
        let upgrade = match (&accepted, verification) {
            (Some(user), Verification::VerifiedNeedsUpgrade { new_hash }) => {
                Some((user.clone(), new_hash))
            }
            _ => None,
        };

        let policy = self.policy.clone();
        let accepted_id = accepted.as_ref().map(|user| user.id);
        self.pool
            .run(move |conn| {
                conn.write_transaction(|conn| {
                    let pair = username_key
                        .as_deref()
                        .map(|key| login_throttle::pair_key(key, &ip_key));
                    if let Some(user) = &accepted_id {
                        if let Some(pair) = &pair {
                            login_throttle::clear(conn, Scope::Pair, pair)?;
                        }
                        login_throttle::remember_address(conn, *user, &ip_key, now)?;
                        return Ok(());
                    }
                    let forget_before = now - secs(policy.forget_after);
                    let counters = [
                        (Scope::Ip, Some(ip_key.as_str()), policy.per_ip),
                        (Scope::Pair, pair.as_deref(), policy.per_pair),
                        (Scope::Username, username_key.as_deref(), policy.per_account),
                    ];
                    for (which, subject, limit) in counters {
                        let Some(subject) = subject.filter(|_| limit > 0) else {
                            continue;
                        };
                        let failures = login_throttle::record_failure(
                            conn,
                            which,
                            subject,
                            now,
                            forget_before,
                        )?;
                        let failures = u32::try_from(failures).unwrap_or(0);
                        if let Some(lock) = policy.lockout(limit, failures) {
                            login_throttle::lock(conn, which, subject, now + secs(lock))?;
                        }
                    }
                    Ok::<_, DbError>(())
                })?;
                if let Some((user, new_hash)) = upgrade {
                    upgrade_password_hash(conn, &user, &new_hash);
                }
                Ok::<_, DbError>(())
            })
            .await?;
        Ok(Checked {
            accepted,
            started,
            timing: self.timing.clone(),
        })
    }
}

/// A checked password whose answer is not given yet: see [`Checked::paced`].
#[must_use = "the outcome is only known through `paced`"]
pub struct Checked {
    accepted: Option<User>,
    started: Instant,
    timing: Arc<LoginTiming>,
}

impl Checked {
    /// The account, when the password was its password and it is active, once the login
    /// floor has passed since the check began. Await it after dropping the [`HashTicket`]
    /// unless it is still needed: the wait holds no hashing place then.
    pub async fn paced(self) -> Result<User, AuthError> {
        self.timing.pace(self.started).await;
        self.accepted.ok_or(AuthError::InvalidCredentials)
    }
}

/// Stores the Argon2id hash in place of the imported one. A failure only delays the upgrade
/// to the next login, so it does not fail this one.
fn upgrade_password_hash(conn: &mut DbConn, found: &User, new_hash: &str) {
    match user::replace_password_hash(conn, found.id, &found.password_hash, new_hash) {
        Ok(true) => log::info!(
            "user {}: imported password hash upgraded to Argon2id",
            found.id
        ),
        Ok(false) => {}
        Err(err) => log::warn!(
            "user {}: upgrading the password hash failed: {err}",
            found.id
        ),
    }
}

fn secs(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

/// The key failed logins from `client` are counted under: the shared limit key (the address
/// itself, or for IPv6 its /64 network, since one host usually has a whole /64 to pick
/// addresses from).
fn throttle_key(client: IpAddr) -> String {
    limit_key(client).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_by_their_64_network() {
        let ip = |raw: &str| raw.parse::<IpAddr>().unwrap();
        assert_eq!(throttle_key(ip("2001:db8:1:2:3:4:5:6")), "2001:db8:1:2::");
        assert_eq!(throttle_key(ip("192.0.2.7")), "192.0.2.7");
    }
}
