//! Logger set-up shared by both binaries.

/// Starts env_logger, honouring `RUST_LOG` and falling back to `default_filter`.
///
/// Safe to call more than once (tests start several servers in one process).
pub fn init(default_filter: &str) {
    let env = env_logger::Env::default().default_filter_or(default_filter);
    let _ = env_logger::Builder::from_env(env)
        .format_timestamp_millis()
        .try_init();
}
