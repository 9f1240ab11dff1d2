//! What the api tells its operators about the work it does: every request's context (its id,
//! in scope for every log line it causes) and access-log line (`requests`), and the Prometheus
//! metrics (`metrics`).

pub mod metrics;
pub mod requests;

pub use metrics::Metrics;
