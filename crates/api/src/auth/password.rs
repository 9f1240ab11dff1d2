//! Argon2id password hashes in PHC string format (algorithm, parameters and salt inside).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

use crate::domain::Password;

/// Hashes with Argon2id and the crate's default (OWASP-recommended) cost.
pub fn hash(password: &Password) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| format!("hashing failed: {err}"))
}

/// Whether `candidate` matches `stored`. A malformed stored hash never matches.
pub fn verify(candidate: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok()
    })
}

static DUMMY: OnceLock<String> = OnceLock::new();

fn dummy_hash() -> &'static str {
    DUMMY.get_or_init(|| {
        hash(&Password::parse("timing-equaliser".into()).expect("a valid password"))
            .expect("hashing works")
    })
}

/// Makes the hash [`verify_against_nothing`] checks against, so even the first failed login
/// takes no longer than the others.
pub fn prepare() {
    dummy_hash();
}

/// Spends the time of one verification without a user to check against, so an unknown
/// username takes as long to refuse as a wrong password.
pub fn verify_against_nothing(candidate: &str) {
    verify(candidate, dummy_hash());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verifiable() {
        let password = Password::parse("correct horse".into()).unwrap();
        let first = hash(&password).unwrap();
        let second = hash(&password).unwrap();
        assert!(first.starts_with("$argon2id$"));
        assert_ne!(first, second);
        assert!(verify("correct horse", &first));
        assert!(!verify("wrong horse", &first));
        assert!(!verify("correct horse", "not a hash"));
    }
}
