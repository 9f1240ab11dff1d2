//! Prometheus, as both services expose it: metrics registered once on a service's own
//! registry, written in the text exposition format with its content type.

use prometheus::core::Collector;
use prometheus::{Encoder, Registry, TextEncoder};

/// The text exposition format's media type, for a scrape's `Content-Type`.
pub const CONTENT_TYPE: &str = prometheus::TEXT_FORMAT;

/// Registers `metric` on `registry` and returns it. A fresh registry cannot refuse a
/// well-formed metric registered once, so either failure is a programming error.
pub fn register<M>(registry: &Registry, metric: prometheus::Result<M>) -> M
where
    M: Collector + Clone + 'static,
{
    let metric = metric.expect("a well-formed metric");
    registry
        .register(Box::new(metric.clone()))
        .expect("a metric registered once");
    metric
}

/// Every metric of `registry` in the text exposition format.
pub fn render(registry: &Registry) -> Vec<u8> {
    let mut text = Vec::new();
    TextEncoder::new()
        .encode(&registry.gather(), &mut text)
        .expect("the text encoder writes to memory");
    text
}

#[cfg(test)]
mod tests {
    use prometheus::{IntCounter, Registry};

    use super::*;

    #[test]
    fn registered_metrics_are_rendered_as_text() {
        let registry = Registry::new();
        let counter = register(
            &registry,
            IntCounter::new("things_total", "Things counted."),
        );
        counter.inc_by(3);
        let text = String::from_utf8(render(&registry)).unwrap();
        assert!(
            text.contains("# HELP things_total Things counted.\n"),
            "{text}"
        );
        assert!(text.contains("things_total 3\n"), "{text}");
        assert!(CONTENT_TYPE.starts_with("text/plain; version=0.0.4"));
    }
}
