//! A short-lived, per-process memory of sessions whose account was found active, so that an
//! authenticated request needs one database round trip (its own work) instead of two.
//!
//! Freshness: a change made through this process (logout, a password change, a reused refresh
//! token, deleting the account) forgets the affected sessions before its response is sent, so
//! they are refused at once. A change made anywhere else (another replica, SQL, an admin
//! command) reaches this process within the cache's lifetime (`ACCOUNT_CACHE_MS`, 1 s by
//! default; 0 checks the database on every request).
//!
//! Only positive answers are kept: a refused token costs a query every time, and a check that
//! raced with a change in this process is not stored (see [`Epoch`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most sessions remembered at once; past that, expired entries are dropped, and if that is not
/// enough, everything (the next requests simply check the database again).
const MAX_ENTRIES: usize = 65_536;

/// What a check found: the session is live and its account active.
#[derive(Debug, Clone, Copy)]
struct Entry {
    user_id: i64,
    is_staff: bool,
    checked: Instant,
}

#[derive(Default)]
struct State {
    entries: HashMap<i64, Entry>,
    /// Bumped by every change in this process, so a check that began before it is not stored.
    epoch: u64,
}

/// The cache's state when a database check began; [`AccountCache::remember`] stores the
/// check's result only if nothing was forgotten since.
#[derive(Debug, Clone, Copy)]
pub struct Epoch(u64);

/// Per-process memory of active sessions; shared by every worker.
pub struct AccountCache {
    lifetime: Duration,
    state: Mutex<State>,
}

impl AccountCache {
    /// A cache whose entries are trusted for `lifetime`; zero disables it.
    pub fn new(lifetime: Duration) -> Self {
        Self {
            lifetime,
            state: Mutex::new(State::default()),
        }
    }

    /// `Some(is_staff)` if the session was found active within the lifetime.
    pub fn lookup(&self, session_id: i64, user_id: i64) -> Option<bool> {
        if self.lifetime.is_zero() {
            return None;
        }
        let state = self.lock();
        let entry = state.entries.get(&session_id)?;
        (entry.user_id == user_id && entry.checked.elapsed() < self.lifetime)
            .then_some(entry.is_staff)
    }

    /// Taken before a database check, for [`AccountCache::remember`].
    pub fn epoch(&self) -> Epoch {
        Epoch(self.lock().epoch)
    }

    /// Stores an active session found by a check that began at `since`, unless a change in this
    /// process happened meanwhile (it may have ended this very session).
    pub fn remember(&self, since: Epoch, session_id: i64, user_id: i64, is_staff: bool) {
        if self.lifetime.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut state = self.lock();
        if state.epoch != since.0 {
            return;
        }
        if state.entries.len() >= MAX_ENTRIES && !state.entries.contains_key(&session_id) {
            let lifetime = self.lifetime;
            state
                .entries
                .retain(|_, entry| now.duration_since(entry.checked) < lifetime);
            if state.entries.len() >= MAX_ENTRIES {
                state.entries.clear();
            }
        }
        state.entries.insert(
            session_id,
            Entry {
                user_id,
                is_staff,
                checked: now,
            },
        );
    }

    /// One session ended (logout, a reused refresh token).
    pub fn forget_session(&self, session_id: i64) {
        let mut state = self.lock();
        state.epoch += 1;
        state.entries.remove(&session_id);
    }

    /// Every session of the account ended, or the account changed (password, deletion).
    pub fn forget_user(&self, user_id: i64) {
        let mut state = self.lock();
        state.epoch += 1;
        state.entries.retain(|_, entry| entry.user_id != user_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent whatever panicked while holding it: every update is a
        // single map operation.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> AccountCache {
        AccountCache::new(Duration::from_secs(60))
    }

    #[test]
    fn a_remembered_session_is_found_for_its_own_user_only() {
        let cache = cache();
        let since = cache.epoch();
        cache.remember(since, 7, 1, true);
        assert_eq!(cache.lookup(7, 1), Some(true));
        assert_eq!(cache.lookup(7, 2), None);
        assert_eq!(cache.lookup(8, 1), None);
    }

    #[test]
    fn forgetting_a_session_or_a_user_drops_exactly_those() {
        let cache = cache();
        for (session, user) in [(1, 10), (2, 10), (3, 20)] {
            let since = cache.epoch();
            cache.remember(since, session, user, false);
        }
        cache.forget_session(1);
        assert_eq!(cache.lookup(1, 10), None);
        assert_eq!(cache.lookup(2, 10), Some(false));
        cache.forget_user(10);
        assert_eq!(cache.lookup(2, 10), None);
        assert_eq!(cache.lookup(3, 20), Some(false));
    }

    #[test]
    fn a_check_that_raced_with_a_change_is_not_stored() {
        let cache = cache();
        let since = cache.epoch();
        cache.forget_user(10);
        cache.remember(since, 1, 10, false);
        assert_eq!(cache.lookup(1, 10), None);
    }

    #[test]
    fn entries_expire_and_a_zero_lifetime_stores_nothing() {
        let cache = AccountCache::new(Duration::from_millis(20));
        let since = cache.epoch();
        cache.remember(since, 1, 10, false);
        assert_eq!(cache.lookup(1, 10), Some(false));
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(cache.lookup(1, 10), None);

        let off = AccountCache::new(Duration::ZERO);
        let since = off.epoch();
        off.remember(since, 1, 10, false);
        assert_eq!(off.lookup(1, 10), None);
    }

    #[test]
    fn a_full_cache_makes_room_instead_of_growing() {
        let cache = cache();
        for session in 0..MAX_ENTRIES as i64 + 10 {
            let since = cache.epoch();
            cache.remember(since, session, 1, false);
        }
        assert!(cache.lock().entries.len() <= MAX_ENTRIES);
        assert_eq!(cache.lookup(MAX_ENTRIES as i64 + 9, 1), Some(false));
    }
}
