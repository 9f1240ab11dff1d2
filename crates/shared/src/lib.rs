//! What both services need and nothing more: their allocator setting, loading the environment,
//! the log format and the request context every log line of a request carries, the JSON shapes
//! that clients see from either service (errors and health reports), the API's public paths,
//! the one rule that decides who a client is, and (feature `metrics`) how both write their
//! Prometheus metrics.

pub mod allocator;
pub mod client_ip;
pub mod env;
pub mod logging;
#[cfg(feature = "metrics")]
pub mod metrics;
pub mod paths;
pub mod probe;
pub mod request;
pub mod wire;
