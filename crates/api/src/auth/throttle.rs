//! The failed-login throttle's policy, django-axes style: each username key and each client
//! address may fail `per_username` / `per_ip` times; the failure that reaches the limit locks
//! it for `backoff`, and every further failure (possible once a lock runs out) doubles the lock,
//! up to `backoff_max`. A counter is forgotten once `forget_after` has passed since its last
//! failure with no lock running, and a successful login resets its username's counter.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ThrottlePolicy {
    /// Failures per username key before it is locked; 0 turns this counter off.
    pub per_username: u32,
    /// Failures per client address (IPv6: per /64) before it is locked; 0 turns it off.
    pub per_ip: u32,
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
            per_username: 3,
            per_ip: 0,
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
