//! The 20,000 most common passwords (lower-cased), as Django ships them for its
//! `CommonPasswordValidator`; where the list comes from and its licence are in
//! `crates/api/data/README.md`. Unpacked once, on first use.

use std::collections::HashSet;
use std::io::Read;
use std::sync::LazyLock;

static LIST: &[u8] = include_bytes!("../../data/common-passwords.txt.gz");

static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let mut text = String::new();
    flate2::read::GzDecoder::new(LIST)
        .read_to_string(&mut text)
        .expect("the shipped password list is valid gzip and UTF-8");
    text.lines().map(|line| line.trim().to_owned()).collect()
});

/// Whether `password`, lower-cased and trimmed as Django compares it, is on the list.
pub fn contains(password: &str) -> bool {
    COMMON.contains(password.trim().to_lowercase().as_str())
}

/// Unpacks the list now, so the first registration does not pay for it.
pub fn load() {
    LazyLock::force(&COMMON);
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_list_is_the_real_one() {
        assert!(super::COMMON.len() >= 19_000, "{}", super::COMMON.len());
        assert!(super::contains("qwerty"));
        assert!(!super::contains("a-phrase-nobody-uses-4711"));
    }
}
