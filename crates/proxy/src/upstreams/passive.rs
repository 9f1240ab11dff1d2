//! Passive health: an upstream that just refused or dropped a connection is skipped for a short
//! cooldown, without waiting for the next active check.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::RwLock;
use std::time::{Duration, Instant};

pub struct PassiveHealth {
    cooldown: Option<Duration>,
    failed_until: RwLock<HashMap<SocketAddr, Instant>>,
}

impl PassiveHealth {
    /// `None` turns passive health off: failures are left to the active check.
    pub fn new(cooldown: Option<Duration>) -> Self {
        Self {
            cooldown,
            failed_until: RwLock::new(HashMap::new()),
        }
    }

    pub fn mark_failed(&self, addr: SocketAddr) {
        let Some(cooldown) = self.cooldown else {
            return;
        };
        log::warn!("upstream {addr} failed; skipping it for {cooldown:?}");
        let mut failed = self.failed_until.write().expect("passive health lock");
        let now = Instant::now();
        failed.retain(|_, until| *until > now);
        failed.insert(addr, now + cooldown);
    }

    pub fn is_cooling(&self, addr: &SocketAddr) -> bool {
        let failed = self.failed_until.read().expect("passive health lock");
        failed
            .get(addr)
            .is_some_and(|until| *until > Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_upstream_cools_down_then_returns() {
        let passive = PassiveHealth::new(Some(Duration::from_millis(50)));
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        assert!(!passive.is_cooling(&addr));
        passive.mark_failed(addr);
        assert!(passive.is_cooling(&addr));
        std::thread::sleep(Duration::from_millis(60));
        assert!(!passive.is_cooling(&addr));
    }

    #[test]
    fn without_a_cooldown_a_failure_skips_nothing() {
        let passive = PassiveHealth::new(None);
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        passive.mark_failed(addr);
        assert!(!passive.is_cooling(&addr));
    }
}
