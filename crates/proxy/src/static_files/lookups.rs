//! The cache of resolved request paths, refreshed without a stampede: when an entry is older
//! than its lifetime, the first request to see it refreshes it from disk, and every other
//! request meanwhile is answered with the old entry. A refresh that never comes back (its
//! request cancelled) stops holding the others back after one more lifetime.

use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use lru::LruCache;

struct Entry<T> {
    value: T,
    resolved: Instant,
    /// When a request took it upon itself to refresh this entry.
    refreshing: Option<Instant>,
}

/// What a request should do about a path.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup<T> {
    /// Answer with this: fresh, or stale while another request refreshes it.
    Use(T),
    /// Resolve it from disk and [`Lookups::put`] the result: nobody else is.
    Resolve,
}

pub struct Lookups<T> {
    entries: LruCache<String, Entry<T>>,
    ttl: Duration,
}

impl<T: Clone> Lookups<T> {
    pub fn new(capacity: NonZeroUsize, ttl: Duration) -> Self {
        Self {
            entries: LruCache::new(capacity),
            ttl,
        }
    }

    pub fn get(&mut self, path: &str, now: Instant) -> Lookup<T> {
        let ttl = self.ttl;
        let Some(entry) = self.entries.get_mut(path) else {
            return Lookup::Resolve;
        };
        if now.saturating_duration_since(entry.resolved) < ttl {
            return Lookup::Use(entry.value.clone());
        }
        match entry.refreshing {
            Some(since) if now.saturating_duration_since(since) < ttl => {
                Lookup::Use(entry.value.clone())
            }
            _ => {
                entry.refreshing = Some(now);
                Lookup::Resolve
            }
        }
    }

    pub fn put(&mut self, path: String, value: T, now: Instant) {
        self.entries.put(
            path,
            Entry {
                value,
                resolved: now,
                refreshing: None,
            },
        );
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(2);

    fn cache() -> Lookups<&'static str> {
        Lookups::new(NonZeroUsize::new(8).unwrap(), TTL)
    }

    #[test]
    fn an_expired_entry_is_refreshed_once_while_the_others_get_the_old_one() {
        let start = Instant::now();
        let mut lookups = cache();
        assert_eq!(lookups.get("/a", start), Lookup::Resolve, "never seen");
        lookups.put("/a".into(), "old", start);
        assert_eq!(lookups.get("/a", start + TTL / 2), Lookup::Use("old"));
        let expired = start + TTL;
        assert_eq!(
            lookups.get("/a", expired),
            Lookup::Resolve,
            "the first one refreshes"
        );
        for _ in 0..100 {
            assert_eq!(
                lookups.get("/a", expired),
                Lookup::Use("old"),
                "no stampede"
            );
        }
        lookups.put("/a".into(), "new", expired);
        assert_eq!(lookups.get("/a", expired), Lookup::Use("new"));
    }

    #[test]
    fn a_refresh_that_never_comes_back_is_taken_over_after_a_lifetime() {
        let start = Instant::now();
        let mut lookups = cache();
        lookups.put("/a".into(), "old", start);
        assert_eq!(lookups.get("/a", start + TTL), Lookup::Resolve);
        assert_eq!(
            lookups.get("/a", start + TTL * 2 - Duration::from_millis(1)),
            Lookup::Use("old")
        );
        assert_eq!(
            lookups.get("/a", start + TTL * 2),
            Lookup::Resolve,
            "the first refresh was lost"
        );
    }

    #[test]
    fn clearing_forgets_everything() {
        let start = Instant::now();
        let mut lookups = cache();
        lookups.put("/a".into(), "old", start);
        lookups.clear();
        assert_eq!(lookups.get("/a", start), Lookup::Resolve);
    }
}
