//! The authenticated caller, taken from `Authorization: Bearer <access token>`.

use std::future::{ready, Ready};

use actix_web::http::header;
use actix_web::{dev, web, FromRequest, HttpRequest};

use super::{TokenKind, TokenService};
use crate::error::ApiError;

/// The user a request acts for. Handlers that take it are authenticated; every query they make
/// is scoped to `user_id`.
#[derive(Debug, Clone, Copy)]
pub struct Identity {
    pub user_id: i64,
}

impl FromRequest for Identity {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut dev::Payload) -> Self::Future {
        ready(identify(req))
    }
}

fn identify(req: &HttpRequest) -> Result<Identity, ApiError> {
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
        .map(|user_id| Identity { user_id })
        .ok_or(ApiError::TokenNotValid)
}
