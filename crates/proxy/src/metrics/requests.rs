//! Requests by class and status, and their latency by class: every request passes here, so
//! each count is an index into arrays resolved before it (a label lookup hashes and locks).

use std::sync::OnceLock;
use std::time::Duration;

use prometheus::{Histogram, HistogramVec, IntCounter, IntCounterVec};

use crate::routing::Route;

/// What kind of request it was, for the metrics: the way it was routed, or a redirect the edge
/// answered instead (to HTTPS or the canonical host).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestClass {
    Static,
    Api,
    Redirect,
    Health,
}

impl RequestClass {
    const ALL: [Self; 4] = [Self::Static, Self::Api, Self::Redirect, Self::Health];

    fn name(self) -> &'static str {
        match self {
            Self::Static => "static",
            Self::Api => "api",
            Self::Redirect => "redirect",
            Self::Health => "health",
        }
    }
}

impl From<Route> for RequestClass {
    fn from(route: Route) -> Self {
        match route {
            Route::Static => Self::Static,
            Route::Api => Self::Api,
            Route::Health => Self::Health,
        }
    }
}

/// Statuses below this have a slot of their own per class (0 for "no response"; every status
/// the proxy or a well-behaved upstream sends); higher ones are looked up by label.
const STATUS_SLOTS: usize = 600;

/// One class's handles.
struct ClassSeries {
    by_status: Box<[OnceLock<IntCounter>]>,
    duration: Histogram,
}

/// `proxy_http_requests_total{class, status}` and `proxy_http_request_duration_seconds{class}`.
pub struct RequestMetrics {
    total: IntCounterVec,
    classes: [ClassSeries; 4],
}

impl RequestMetrics {
    pub(super) fn new(total: IntCounterVec, duration: HistogramVec) -> Self {
        let classes = RequestClass::ALL.map(|class| ClassSeries {
            by_status: (0..STATUS_SLOTS).map(|_| OnceLock::new()).collect(),
            duration: duration.with_label_values(&[class.name()]),
        });
        Self { total, classes }
    }

    /// Counts one request of `class` answered with `status` (0: none) after `elapsed`.
    pub fn record(&self, class: RequestClass, status: u16, elapsed: Duration) {
        let series = &self.classes[class as usize];
        series.duration.observe(elapsed.as_secs_f64());
        let counter = || {
            let status = status.to_string();
            self.total
                .with_label_values(&[class.name(), status.as_str()])
        };
        match series.by_status.get(usize::from(status)) {
            Some(slot) => slot.get_or_init(counter).inc(),
            None => counter().inc(),
        }
    }
}

#[cfg(test)]
mod tests {
    use prometheus::{HistogramOpts, Opts};

    use super::*;

    #[test]
    fn each_class_and_status_has_its_own_series() {
        let total =
            IntCounterVec::new(Opts::new("requests_total", "help"), &["class", "status"]).unwrap();
        let duration =
            HistogramVec::new(HistogramOpts::new("duration", "help"), &["class"]).unwrap();
        let metrics = RequestMetrics::new(total.clone(), duration.clone());
        let second = Duration::from_secs(1);
        metrics.record(RequestClass::Static, 200, second);
        metrics.record(RequestClass::Static, 200, second);
        metrics.record(RequestClass::Api, 200, second);
        metrics.record(RequestClass::Redirect, 308, second);
        metrics.record(RequestClass::Health, 0, second);
        metrics.record(RequestClass::Api, 999, second);
        let count = |class, status| total.with_label_values(&[class, status]).get();
        assert_eq!(count("static", "200"), 2);
        assert_eq!(count("api", "200"), 1);
        assert_eq!(count("redirect", "308"), 1);
        assert_eq!(count("health", "0"), 1);
        assert_eq!(count("api", "999"), 1, "past the slots, by label");
        assert_eq!(count("static", "404"), 0);
        let observed = |class| duration.with_label_values(&[class]).get_sample_count();
        assert_eq!(observed("static"), 2);
        assert_eq!(observed("api"), 2);
    }
}
