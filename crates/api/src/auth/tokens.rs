//! JWT access and refresh tokens (HS256, signed with `SECRET_KEY`).
//!
//! Every token names its session (`sid`), the database row that a login creates and logout,
//! a password change or a reused refresh token deletes. A refresh token also carries the
//! session's generation (`gen`): refreshing moves the session to the next generation, so each
//! refresh token works once. Access tokens are checked against the session on every request
//! (see `Identity`), so they stop working the moment their session ends, not at their expiry.

use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Which job a token does; an access token is never accepted as a refresh token or vice versa.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    Access,
    Refresh,
}

/// Whose session a token belongs to, and which of its refresh tokens it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionToken {
    pub user_id: i64,
    pub session_id: i64,
    pub generation: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    token_type: TokenKind,
    user_id: i64,
    sid: i64,
    #[serde(rename = "gen")]
    generation: i64,
    iat: i64,
    exp: i64,
    jti: String,
}

/// Issues and checks tokens. Built once at start-up from the settings.
#[derive(Clone)]
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    access_lifetime: Duration,
    refresh_lifetime: Duration,
}

impl TokenService {
    pub fn new(secret: &[u8], access_lifetime: Duration, refresh_lifetime: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Lifetimes are configured in seconds; a minute of leeway would silently lengthen them.
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_lifetime,
            refresh_lifetime,
        }
    }

    /// When a refresh token issued at `now` (unix seconds) expires: its session lives as long.
    pub fn refresh_expiry(&self, now: i64) -> i64 {
        now.saturating_add(secs(self.refresh_lifetime))
    }

    /// A token of `kind` for `session`, issued at `now` (unix seconds).
    pub fn issue(
        &self,
        kind: TokenKind,
        session: SessionToken,
        now: i64,
    ) -> Result<String, String> {
        let lifetime = match kind {
            TokenKind::Access => self.access_lifetime,
            TokenKind::Refresh => self.refresh_lifetime,
        };
        let claims = Claims {
            token_type: kind,
            user_id: session.user_id,
            sid: session.session_id,
            generation: session.generation,
            iat: now,
            exp: now.saturating_add(secs(lifetime)),
            jti: uuid::Uuid::new_v4().simple().to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|err| format!("signing a token failed: {err}"))
    }

    /// The session of a validly signed, unexpired token of the expected kind.
    pub fn verify(&self, token: &str, expected: TokenKind) -> Option<SessionToken> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        (claims.token_type == expected).then_some(SessionToken {
            user_id: claims.user_id,
            session_id: claims.sid,
            generation: claims.generation,
        })
    }
}

/// The current time in the tokens' unit.
pub fn now() -> i64 {
    Utc::now().timestamp()
}

fn secs(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SESSION: SessionToken = SessionToken {
        user_id: 7,
        session_id: 3,
        generation: 2,
    };

    fn service() -> TokenService {
        TokenService::new(
            b"a test secret that is long enough!",
            Duration::from_secs(60),
            Duration::from_secs(120),
        )
    }

    #[test]
    fn a_token_is_only_good_for_its_own_kind() {
        let tokens = service();
        let access = tokens.issue(TokenKind::Access, SESSION, now()).unwrap();
        let refresh = tokens.issue(TokenKind::Refresh, SESSION, now()).unwrap();
        assert_eq!(tokens.verify(&access, TokenKind::Access), Some(SESSION));
        assert_eq!(tokens.verify(&refresh, TokenKind::Refresh), Some(SESSION));
        assert_eq!(tokens.verify(&access, TokenKind::Refresh), None);
        assert_eq!(tokens.verify(&refresh, TokenKind::Access), None);
    }

    #[test]
    fn another_key_or_an_expired_token_is_refused() {
        let other = TokenService::new(b"another secret", Duration::from_secs(60), Duration::ZERO);
        let token = other.issue(TokenKind::Access, SESSION, now()).unwrap();
        assert_eq!(service().verify(&token, TokenKind::Access), None);
        let expired = other.issue(TokenKind::Refresh, SESSION, now() - 1).unwrap();
        assert_eq!(other.verify(&expired, TokenKind::Refresh), None);
    }
}
