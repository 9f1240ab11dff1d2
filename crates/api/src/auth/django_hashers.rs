//! Django's password hashes, kept for the accounts `api import-django` brought in: they are
//! checked at login until the owner's first successful one replaces them with our Argon2id.
//!
//! Django stores `<algorithm>$<fields>`:
//! - `pbkdf2_sha256$<iterations>$<salt>$<base64 digest>`, its default (390000 iterations in
//!   Django 4.1, other counts in other versions), and `pbkdf2_sha1$…`, the same with SHA-1;
//! - `argon2$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`: a PHC string behind Django's own
//!   `argon2` prefix (PHC strings start with the `$`);
//! - `!…`: an unusable password (`set_unusable_password()`), which nothing matches.

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use subtle::ConstantTimeEq;

/// Fewer rounds than any Django release has used (10000 since PBKDF2 became its default), and
/// the least the PBKDF2 crate's parameters take.
pub const MIN_PBKDF2_ITERATIONS: u32 = pbkdf2::Params::MIN_ROUNDS;
/// More rounds than any Django release uses by far (6.0: 1.2 million); a count above it is a
/// damaged row, and verifying it would let anyone who knows the username burn minutes of CPU.
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// The most memory (KiB) an Argon2 hash may ask for: Django's default is 100 MiB, and one
/// login must not be able to exhaust the server's memory.
pub const MAX_ARGON2_MEMORY_KIB: u32 = 1024 * 1024;

/// A Django password hash, parsed.
pub enum DjangoHash<'a> {
    Pbkdf2 {
        digest: Pbkdf2Digest,
        iterations: u32,
        salt: &'a str,
        expected: Vec<u8>,
    },
    Argon2(PasswordHash<'a>),
    Unusable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pbkdf2Digest {
    Sha256,
    Sha1,
}

impl Pbkdf2Digest {
    fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha1 => 20,
        }
    }
}

/// Why a stored value is not a Django hash this server can check.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnsupportedHash {
    #[error("the password hash is empty")]
    Empty,
    /// Django's other hashers (bcrypt, scrypt, md5, sha1, crypt, unsalted ones): a user whose
    /// hash has one of these logs in once on Django, which re-hashes it with its default.
    #[error("password hashes of the kind {0:?} are not supported (PBKDF2 and Argon2 are)")]
    Kind(String),
    #[error("malformed {kind} password hash: {problem}")]
    Malformed {
        kind: &'static str,
        problem: &'static str,
    },
}

impl<'a> DjangoHash<'a> {
    pub fn parse(stored: &'a str) -> Result<Self, UnsupportedHash> {
        if stored.is_empty() {
            return Err(UnsupportedHash::Empty);
        }
        if stored.starts_with('!') {
            return Ok(Self::Unusable);
        }
        let (algorithm, rest) = stored.split_once('$').unwrap_or((stored, ""));
        match algorithm {
            "pbkdf2_sha256" => Self::pbkdf2(Pbkdf2Digest::Sha256, "pbkdf2_sha256", rest),
            "pbkdf2_sha1" => Self::pbkdf2(Pbkdf2Digest::Sha1, "pbkdf2_sha1", rest),
            // The PHC string starts at the `$` after Django's prefix.
            "argon2" => Self::argon2(&stored[algorithm.len()..]),
            other => Err(UnsupportedHash::Kind(other.chars().take(40).collect())),
        }
    }

    fn pbkdf2(
        digest: Pbkdf2Digest,
        kind: &'static str,
        rest: &'a str,
    ) -> Result<Self, UnsupportedHash> {
        let malformed = |problem| UnsupportedHash::Malformed { kind, problem };
        let mut fields = rest.splitn(3, '$');
        let (Some(iterations), Some(salt), Some(encoded)) =
            (fields.next(), fields.next(), fields.next())
        else {
            return Err(malformed("expected <iterations>$<salt>$<digest>"));
        };
        let iterations: u32 = iterations
            .parse()
            .map_err(|_| malformed("the iteration count is not a number"))?;
        if !(MIN_PBKDF2_ITERATIONS..=MAX_PBKDF2_ITERATIONS).contains(&iterations) {
            return Err(malformed("the iteration count is out of range"));
        }
        if salt.is_empty() {
            return Err(malformed("the salt is empty"));
        }
        let expected = STANDARD
            .decode(encoded)
            .map_err(|_| malformed("the digest is not base64"))?;
        if expected.len() != digest.output_len() {
            return Err(malformed("the digest has the wrong length"));
        }
        Ok(Self::Pbkdf2 {
            digest,
            iterations,
            salt,
            expected,
        })
    }

    fn argon2(phc: &'a str) -> Result<Self, UnsupportedHash> {
        let malformed = |problem| UnsupportedHash::Malformed {
            kind: "argon2",
            problem,
        };
        let hash = PasswordHash::new(phc).map_err(|_| malformed("not a PHC string"))?;
        if !hash.algorithm.as_str().starts_with("argon2") {
            return Err(malformed("not an Argon2 PHC string"));
        }
        let memory = hash
            .params
            .get_decimal("m")
            .ok_or_else(|| malformed("no memory cost"))?;
        if memory > MAX_ARGON2_MEMORY_KIB {
            return Err(malformed("the memory cost is out of range"));
        }
        if hash.hash.is_none() || hash.salt.is_none() {
            return Err(malformed("no salt or no hash"));
        }
        Ok(Self::Argon2(hash))
    }

    /// Whether `candidate` is the password. Digests are compared in constant time.
    pub fn matches(&self, candidate: &str) -> bool {
        match self {
            Self::Pbkdf2 {
                digest,
                iterations,
                salt,
                expected,
            } => {
                let mut derived = vec![0; expected.len()];
                let (password, salt) = (candidate.as_bytes(), salt.as_bytes());
                match (digest, pbkdf2::Params::new(*iterations)) {
                    // The crate's non-generic entry point: compiled in the crate itself, so
                    // optimised in debug builds too (profile.dev.package), where the generic
                    // one would run unoptimised in this crate, ten times slower.
                    (Pbkdf2Digest::Sha256, Ok(params)) => pbkdf2::pbkdf2_hmac_with_params(
                        password,
                        salt,
                        pbkdf2::Algorithm::Pbkdf2Sha256,
                        params,
                        &mut derived,
                    ),
                    (Pbkdf2Digest::Sha256, Err(_)) => return false,
                    (Pbkdf2Digest::Sha1, _) => {
                        pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, *iterations, &mut derived)
                    }
                }
                derived.ct_eq(expected).into()
            }
            // The crate compares the outputs in constant time.
            Self::Argon2(hash) => Argon2::default()
                .verify_password(candidate.as_bytes(), hash)
                .is_ok(),
            Self::Unusable => false,
        }
    }

    /// The algorithm and its cost parameters, without salt or digest: hashes with the same
    /// cost take the same time to check.
    pub fn cost(&self) -> String {
        match self {
            Self::Pbkdf2 {
                digest, iterations, ..
            } => format!("pbkdf2 {digest:?} {iterations}"),
            Self::Argon2(hash) => format!(
                "{} v={} {}",
                hash.algorithm,
                hash.version.unwrap_or_default(),
                hash.params
            ),
            Self::Unusable => "unusable".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use argon2::PasswordHasher;

    use super::*;

    // Made by Django 4.1.13's make_password("correct horse", hasher=...) with its default
    // parameters, but SHA-1's with 20000 iterations (its encode(), to keep the test quick: the
    // SHA-1 path runs unoptimised in debug builds).
    const PBKDF2_SHA256: &str =
        "pbkdf2_sha256$390000$RzsiDvSQDYypd6ZhDscrk3$nNXZWBMAVw3vpFS8wqFfJopRhtpNLzdTmGi1ySxdRLc=";
    const PBKDF2_SHA1: &str =
        "pbkdf2_sha1$20000$3nvBBpBnGPWpWpeUOF4PSH$Z1WJrjgj2kpYXTWHnW67jeSVlYY=";
    const ARGON2: &str = "argon2$argon2id$v=19$m=102400,t=2,p=8$bWhZdk5yeVFHTmdGMVp3YTVpOWxEMA$m9OJD3k56yAmVWupRePWflTeSg7ZdAAUD5CRA8gAEFM";

    #[test]
    fn hashes_made_by_django_match_their_password_only() {
        for stored in [PBKDF2_SHA256, PBKDF2_SHA1, ARGON2] {
            let hash = DjangoHash::parse(stored).unwrap();
            assert!(hash.matches("correct horse"), "{stored}");
            assert!(!hash.matches("correct horsf"), "{stored}");
        }
    }

    #[test]
    fn the_iteration_count_is_read_from_the_hash() {
        // Python's hashlib.pbkdf2_hmac("sha1", b"correct horse", b"seasalt1234", 1000).
        let fewer = "pbkdf2_sha1$1000$seasalt1234$a7YkjI3Gi1x78iSjxJEZ1P3h1ig=";
        let hash = DjangoHash::parse(fewer).unwrap();
        assert!(hash.matches("correct horse"));
        assert!(!hash.matches(""));
        assert_eq!(hash.cost(), "pbkdf2 Sha1 1000");
    }

    #[test]
    fn django_argon2_is_a_phc_string_behind_its_prefix() {
        let phc = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(1024, 2, 2, Some(16)).unwrap(),
        )
        .hash_password(
            b"correct horse",
            &argon2::password_hash::SaltString::from_b64("c2FsdHNhbHRzYWx0").unwrap(),
        )
        .unwrap()
        .to_string();
        assert!(phc.starts_with("$argon2id$v=19$m=1024,t=2,p=2$"));
        let stored = format!("argon2{phc}");
        let hash = DjangoHash::parse(&stored).unwrap();
        assert!(hash.matches("correct horse"));
        assert!(!hash.matches("correct horsf"));
        assert_eq!(hash.cost(), "argon2id v=19 m=1024,t=2,p=2");
    }

    #[test]
    fn unusable_passwords_never_match() {
        let hash = DjangoHash::parse("!Zq1vW8xPd3kLhT0yRj5mNbC2aE7sUf9gYi4oKp6").unwrap();
        for candidate in ["", "!", "Zq1vW8xPd3kLhT0yRj5mNbC2aE7sUf9gYi4oKp6"] {
            assert!(!hash.matches(candidate));
        }
    }

    #[test]
    fn other_kinds_and_damaged_hashes_are_refused_with_a_reason() {
        assert_eq!(
            DjangoHash::parse("md5$salt$abc").err(),
            Some(UnsupportedHash::Kind("md5".into()))
        );
        assert!(matches!(
            DjangoHash::parse("bcrypt_sha256$$2b$12$abc"),
            Err(UnsupportedHash::Kind(_))
        ));
        assert_eq!(DjangoHash::parse("").err(), Some(UnsupportedHash::Empty));
        for damaged in [
            "pbkdf2_sha256$390000$salt",
            "pbkdf2_sha256$many$salt$y3VETBHYrJJKpYU3gC7nBdO1bpB9ksCz+PtI1CMfWu8=",
            "pbkdf2_sha256$999$salt$y3VETBHYrJJKpYU3gC7nBdO1bpB9ksCz+PtI1CMfWu8=",
            "pbkdf2_sha256$4000000000$salt$y3VETBHYrJJKpYU3gC7nBdO1bpB9ksCz+PtI1CMfWu8=",
            "pbkdf2_sha256$390000$$y3VETBHYrJJKpYU3gC7nBdO1bpB9ksCz+PtI1CMfWu8=",
            "pbkdf2_sha256$390000$salt$not base64",
            "pbkdf2_sha1$1000$salt$y3VETBHYrJJKpYU3gC7nBdO1bpB9ksCz+PtI1CMfWu8=",
            "argon2$argon2id$v=19$m=4194304,t=2,p=8$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
            "argon2$argon2id$v=19$m=1024,t=2,p=2$c2FsdHNhbHRzYWx0",
            "argon2$pbkdf2$i=1000$c2FsdA$aGFzaA",
            "argon2$nonsense",
        ] {
            assert!(
                matches!(
                    DjangoHash::parse(damaged),
                    Err(UnsupportedHash::Malformed { .. })
                ),
                "{damaged}"
            );
        }
    }
}
