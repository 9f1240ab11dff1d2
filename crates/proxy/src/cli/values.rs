//! The rules for reading setting values that `--help` states, shared by every group of
//! settings and by the modules that parse them.

use std::time::Duration;

/// A `*_SECS` setting that can be off: 0 turns it off (the first half of the rule in
/// `--help`; the settings that cannot be off refuse 0 when the configuration is parsed).
pub fn off_when_zero(secs: u64) -> Option<Duration> {
    (secs > 0).then(|| Duration::from_secs(secs))
}

/// The items of a comma-separated setting, trimmed, without empty ones.
pub fn comma_separated(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}
