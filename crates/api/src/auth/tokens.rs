//! JWT access and refresh tokens (HS256, signed with `SECRET_KEY`).

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

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    token_type: TokenKind,
    user_id: i64,
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

    pub fn issue(&self, kind: TokenKind, user_id: i64) -> Result<String, String> {
        let lifetime = match kind {
            TokenKind::Access => self.access_lifetime,
            TokenKind::Refresh => self.refresh_lifetime,
        };
        let now = Utc::now().timestamp();
        let claims = Claims {
            token_type: kind,
            user_id,
            iat: now,
            exp: now.saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX)),
            jti: uuid::Uuid::new_v4().simple().to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|err| format!("signing a token failed: {err}"))
    }

    /// The user id of a valid, unexpired token of the expected kind.
    pub fn verify(&self, token: &str, expected: TokenKind) -> Option<i64> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        (claims.token_type == expected).then_some(claims.user_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let access = tokens.issue(TokenKind::Access, 7).unwrap();
        let refresh = tokens.issue(TokenKind::Refresh, 7).unwrap();
        assert_eq!(tokens.verify(&access, TokenKind::Access), Some(7));
        assert_eq!(tokens.verify(&refresh, TokenKind::Refresh), Some(7));
        assert_eq!(tokens.verify(&access, TokenKind::Refresh), None);
        assert_eq!(tokens.verify(&refresh, TokenKind::Access), None);
    }

    #[test]
    fn another_key_or_an_expired_token_is_refused() {
        let other = TokenService::new(b"another secret", Duration::from_secs(60), Duration::ZERO);
        let token = other.issue(TokenKind::Access, 1).unwrap();
        assert_eq!(service().verify(&token, TokenKind::Access), None);
        let expired = other.issue(TokenKind::Refresh, 1).unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(other.verify(&expired, TokenKind::Refresh), None);
    }
}
