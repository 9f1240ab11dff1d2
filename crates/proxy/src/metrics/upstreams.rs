//! Per upstream address: response latency, retries and health. The addresses come and go with
//! DNS, so their handles are made on an address's first request and kept in a small map read
//! under a shared lock; a scrape drops the series of addresses no longer known, so that
//! replaced tasks do not pile up series.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::RwLock;
use std::time::Duration;

use prometheus::{Histogram, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec};

/// One address's handles.
struct AddressSeries {
    response: Histogram,
    retries: IntCounter,
}

pub struct UpstreamMetrics {
    response: HistogramVec,
    retries: IntCounterVec,
    healthy: IntGaugeVec,
    addresses: RwLock<HashMap<SocketAddr, AddressSeries>>,
}

impl UpstreamMetrics {
    pub(super) fn new(
        response: HistogramVec,
        retries: IntCounterVec,
        healthy: IntGaugeVec,
    ) -> Self {
        Self {
            response,
            retries,
            healthy,
            addresses: RwLock::new(HashMap::new()),
        }
    }

    /// `addr` answered with a response header `elapsed` after it was picked.
    pub fn responded(&self, addr: SocketAddr, elapsed: Duration) {
        self.with(addr, |series| {
            series.response.observe(elapsed.as_secs_f64())
        });
    }

    /// A request `addr` failed goes on to another upstream.
    pub fn retried(&self, addr: SocketAddr) {
        self.with(addr, |series| series.retries.inc());
    }

    fn with(&self, addr: SocketAddr, bump: impl Fn(&AddressSeries)) {
        if let Some(series) = self.addresses.read().expect("upstream series").get(&addr) {
            return bump(series);
        }
        let mut addresses = self.addresses.write().expect("upstream series");
        let series = addresses.entry(addr).or_insert_with(|| {
            let label = addr.to_string();
            AddressSeries {
                response: self.response.with_label_values(&[label.as_str()]),
                retries: self.retries.with_label_values(&[label.as_str()]),
            }
        });
        bump(series);
    }

    /// Sets the health gauge of every known address (`health`: address and whether it passes
    /// its check) and forgets the series of the others.
    pub(super) fn refresh(&self, health: &[(SocketAddr, bool)]) {
        self.healthy.reset();
        for (addr, healthy) in health {
            self.healthy
                .with_label_values(&[addr.to_string().as_str()])
                .set(i64::from(*healthy));
        }
        let mut addresses = self.addresses.write().expect("upstream series");
        addresses.retain(|addr, _| {
            let known = health.iter().any(|(known, _)| known == addr);
            if !known {
                let label = addr.to_string();
                // Both exist: they were made together.
                let _ = self.response.remove_label_values(&[label.as_str()]);
                let _ = self.retries.remove_label_values(&[label.as_str()]);
            }
            known
        });
    }
}
