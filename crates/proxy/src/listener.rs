//! The two kinds of listener a service answers on, and what each one does differently.

use crate::tls::acme::{Challenges, CHALLENGE_PREFIX};

/// Which listener a service answers on.
pub enum Listener {
    /// Plain HTTP: redirected to HTTPS when TLS is on, and the answerer of ACME HTTP-01
    /// challenges when `challenges` is set.
    Http {
        challenges: Option<Challenges>,
    },
    Https,
}

impl Listener {
    pub fn is_https(&self) -> bool {
        matches!(self, Listener::Https)
    }

    /// The tokens being validated and the one `path` asks for, when this listener answers
    /// ACME challenges and `path` is one.
    pub fn challenge<'a>(&self, path: &'a str) -> Option<(&Challenges, &'a str)> {
        match self {
            Listener::Http {
                challenges: Some(challenges),
            } => Some((challenges, path.strip_prefix(CHALLENGE_PREFIX)?)),
            _ => None,
        }
    }
}
