//! Password hashes: ours are Argon2id in PHC string format (algorithm, parameters and salt
//! inside); accounts imported from Django keep their Django hash until their first login.
//!
//! These are the plain, blocking functions; request handlers reach them through
//! [`Hasher`](super::Hasher), which runs them off the async executor and bounds how many run.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

use super::django_hashers::DjangoHash;
use crate::domain::Password;

/// Hashes with Argon2id and the crate's default (OWASP-recommended) cost.
pub fn hash(password: &Password) -> Result<String, String> {
    hash_secret(password.expose())
}

/// [`hash`] for a password that was accepted under older rules (an imported account's),
/// which is re-hashed as it is.
fn hash_secret(secret: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| format!("hashing failed: {err}"))
}

/// What checking a password against a stored hash found.
#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    /// It matches, and the stored hash is already ours.
    Verified,
    /// It matches an imported Django hash; `new_hash` is its Argon2id replacement, to be stored
    /// in place of the old one.
    VerifiedNeedsUpgrade {
        new_hash: String,
    },
    Failed,
}

impl Verification {
    pub fn is_match(&self) -> bool {
        !matches!(self, Self::Failed)
    }
}

/// Checks `candidate` against `stored`, ours or Django's. A malformed or unusable stored hash
/// never matches.
pub fn verify(candidate: &str, stored: &str) -> Verification {
    if stored.starts_with('$') {
        let ours = PasswordHash::new(stored).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(candidate.as_bytes(), &parsed)
                .is_ok()
        });
        return if ours {
            Verification::Verified
        } else {
            Verification::Failed
        };
    }
    let matched = DjangoHash::parse(stored).is_ok_and(|django| django.matches(candidate));
    if !matched {
        return Verification::Failed;
    }
    match hash_secret(candidate) {
        Ok(new_hash) => Verification::VerifiedNeedsUpgrade { new_hash },
        Err(err) => {
            // The login still succeeds; the next one tries the upgrade again.
            log::error!("re-hashing an imported password failed: {err}");
            Verification::Verified
        }
    }
}

static DUMMY: OnceLock<String> = OnceLock::new();

fn dummy_hash() -> &'static str {
    DUMMY.get_or_init(|| hash_secret("timing-equaliser").expect("hashing works"))
}

/// Spends the time of one verification without a user to check against, so an unknown
/// username takes as long to refuse as a wrong password.
pub fn verify_against_nothing(candidate: &str) {
    verify(candidate, dummy_hash());
}

/// Spends the time of the re-hash a first login with an imported password adds.
pub(super) fn hash_for_timing(candidate: &str) {
    // Only the time matters; a failure would already have shown in `dummy_hash`.
    let _ = hash_secret(candidate);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verifiable() {
        let password = Password::parse("correct horse".into(), &Default::default()).unwrap();
        let first = hash(&password).unwrap();
        let second = hash(&password).unwrap();
        assert!(first.starts_with("$argon2id$"));
        assert_ne!(first, second);
        assert_eq!(verify("correct horse", &first), Verification::Verified);
        assert_eq!(verify("wrong horse", &first), Verification::Failed);
        assert_eq!(verify("correct horse", "not a hash"), Verification::Failed);
    }

    #[test]
    fn a_django_hash_matches_once_and_comes_back_as_argon2id() {
        let django = "pbkdf2_sha1$1000$seasalt1234$a7YkjI3Gi1x78iSjxJEZ1P3h1ig=";
        assert_eq!(verify("wrong horse", django), Verification::Failed);
        let Verification::VerifiedNeedsUpgrade { new_hash } = verify("correct horse", django)
        else {
            panic!("the Django hash did not match");
        };
        assert!(new_hash.starts_with("$argon2id$"));
        assert_eq!(verify("correct horse", &new_hash), Verification::Verified);
    }

    #[test]
    fn unusable_and_unsupported_hashes_never_match() {
        for stored in ["!abcdef", "md5$salt$0123", "", "argon2$nonsense"] {
            assert_eq!(verify("", stored), Verification::Failed, "{stored}");
            assert_eq!(verify(stored, stored), Verification::Failed, "{stored}");
        }
    }
}
