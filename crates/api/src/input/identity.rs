//! The authenticated caller, taken from `Authorization: Bearer <access token>`.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{dev, web, FromRequest, HttpRequest};

use crate::auth::tokens::SessionToken;
use crate::auth::{AccountCache, TokenKind, TokenService};
use crate::db::DbPool;
use crate::error::ApiError;
use crate::models::session;

/// The user a request acts for. Handlers that take it are authenticated; every query they make
/// is scoped to `user_id`.
#[derive(Debug, Clone, Copy)]
pub struct Identity {
    pub user_id: i64,
    /// Read with the account check every request makes, so staff checks need no query.
    pub is_staff: bool,
}

impl Identity {
    /// 403 unless the caller is a staff account.
    pub fn require_staff(&self) -> Result<(), ApiError> {
        if self.is_staff {
            Ok(())
        } else {
            Err(ApiError::PermissionDenied)
        }
    }
}

impl FromRequest for Identity {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    /// A valid access token of a session that has not ended, for an account that still exists
    /// and is active: logging out, changing the password or deactivating or deleting the
    /// account stops its tokens, not when they expire: at once when done through this
    /// process, within the [`AccountCache`]'s lifetime otherwise. One query checks all of it,
    /// and a session checked moments ago needs none.
    fn from_request(req: &HttpRequest, _: &mut dev::Payload) -> Self::Future {
        let claimed = token_session(req);
        let pool = req.app_data::<web::Data<DbPool>>().cloned();
        let cache = req.app_data::<web::Data<AccountCache>>().cloned();
        Box::pin(async move {
            let SessionToken {
                user_id,
                session_id,
                ..
            } = claimed?;
            let cache =
                cache.ok_or_else(|| ApiError::internal("AccountCache is not registered"))?;
            if let Some(is_staff) = cache.lookup(session_id, user_id) {
                return Ok(Identity { user_id, is_staff });
            }
            let pool = pool.ok_or_else(|| ApiError::internal("DbPool is not registered"))?;
            let since = cache.epoch();
            let account = pool
                .query(move |conn| session::account(conn, session_id, user_id))
                .await?;
            match account {
                Some((true, is_staff)) => {
                    cache.remember(since, session_id, user_id, is_staff);
                    Ok(Identity { user_id, is_staff })
                }
                _ => Err(ApiError::TokenNotValid),
            }
        })
    }
}

/// The session an access token in the request claims, if the token is valid.
fn token_session(req: &HttpRequest) -> Result<SessionToken, ApiError> {
    let tokens = req
        .app_data::<web::Data<TokenService>>()
        .ok_or_else(|| ApiError::internal("TokenService is not registered"))?;
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::NotAuthenticated)?
        .to_str()
        .map_err(|_| ApiError::TokenNotValid)?;
    let mut parts = value.split_whitespace();
    let scheme = parts.next().unwrap_or_default();
    // "JWT" is the other prefix simplejwt clients are commonly configured with.
    if !(scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("jwt")) {
        return Err(ApiError::NotAuthenticated);
    }
    let (Some(token), None) = (parts.next(), parts.next()) else {
        return Err(ApiError::TokenNotValid);
    };
    tokens
        .verify(token, TokenKind::Access)
        .ok_or(ApiError::TokenNotValid)
}
