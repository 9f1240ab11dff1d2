//! The failed-login throttle's policy. Three counters, so that guessing is slowed everywhere
//! and nobody can lock an owner out:
//! - a **(username, address) pair** may fail `per_pair` times: the guesser at one address is
//!   stopped early, and the owner at another is untouched;
//! - a **client address** (IPv6: its /64) may fail `per_ip` times, whatever names it tries;
//! - a **username** may fail `per_account` times from all addresses together, a much higher
//!   limit that slows a guesser spread over many addresses; it does not apply at an address the
//!   account has logged in from within `known_for` (the refresh-token lifetime), so it never
//!   hands a lock-out of the owner to anyone.
//!
//! The failure that reaches a limit locks that counter for `backoff`, and every further failure
//! (possible once a lock runs out) doubles the lock, up to `backoff_max`. A counter is forgotten
//! once `forget_after` has passed since its last failure with no lock running, and a successful
//! login resets its pair's counter.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ThrottlePolicy {
    /// Failures per (username key, address) before the pair is locked; 0 turns it off.
    pub per_pair: u32,
    /// Failures per client address (IPv6: per /64) before it is locked; 0 turns it off.
    pub per_ip: u32,
    /// Failures per username key from every address before it is locked for addresses the
    /// account has not logged in from; 0 turns it off.
    pub per_account: u32,
    /// How long an address the account logged in from stays exempt from `per_account`.
    pub known_for: Duration,
    pub backoff: Duration,
    pub backoff_max: Duration,
    pub forget_after: Duration,
}

impl ThrottlePolicy {
    /// How long a counter with `limit` that has just reached `failures` is locked, if at all.
    pub fn lockout(&self, limit: u32, failures: u32) -> Option<Duration> {
        if limit == 0 || failures < limit {
            return None;
        }
        let doublings = (failures - limit).min(31);
        Some(
            self.backoff
                .saturating_mul(1 << doublings)
                .min(self.backoff_max),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_starts_at_the_limit_and_doubles_up_to_the_cap() {
        let policy = ThrottlePolicy {
            per_pair: 3,
            per_ip: 0,
            per_account: 0,
            known_for: Duration::from_secs(86_400),
            backoff: Duration::from_secs(30),
            backoff_max: Duration::from_secs(100),
            forget_after: Duration::from_secs(600),
        };
        let secs = |failures| policy.lockout(3, failures).map(|d| d.as_secs());
        assert_eq!(secs(2), None);
        assert_eq!(secs(3), Some(30));
        assert_eq!(secs(4), Some(60));
        assert_eq!(secs(5), Some(100));
        assert_eq!(secs(500), Some(100));
        assert_eq!(policy.lockout(0, 500), None);
    }
}
