//! What the integration suites of `api`, `proxy` and `deploy-checks` share, so none of them
//! carries its own copy: a dev-dependency only.
//!
//! - [`process`]: a child with a clean environment, its stderr collected as it is written,
//!   waiting for a log line, signals and a bounded wait for its exit.
//! - [`servers`]: the real `api` and `proxy` started with test settings, their ports learned
//!   from their own "listening on" log lines.
//! - [`promtool`]: Prometheus' check of a metrics exposition.
//! - [`ports`]: a port held for a program that must be told its port in advance.
//! - [`workspace`]: the workspace root, its files, and its binaries (built when stale).

pub mod ports;
pub mod process;
pub mod promtool;
pub mod servers;
pub mod workspace;
