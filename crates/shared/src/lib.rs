//! What both services need and nothing more: their allocator setting, loading the environment,
//! the log format and the request context every log line of a request carries, the JSON shapes
//! that clients see from either service (errors and health reports), the API's public paths,
//! and the one rule that decides who a client is.

pub mod allocator;
pub mod client_ip;
pub mod env;
pub mod logging;
pub mod paths;
pub mod probe;
pub mod request;
pub mod wire;
