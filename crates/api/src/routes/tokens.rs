use actix_web::{web, HttpResponse};

use crate::auth::{Account, Authenticator, TokenKind, TokenService};
use crate::db::DbPool;
use crate::error::ApiError;
use crate::input::fields::{all_valid, string};
use crate::input::{ClientIp, JsonObject};
use crate::models::user;
use crate::views::token::{AccessToken, TokenPair};

/// `POST /api/token/`: `{username, password}` -> `{access, refresh}`, throttled per username
/// and per client address (see `auth::throttle`).
pub async fn obtain(
    authenticator: web::Data<Authenticator>,
    tokens: web::Data<TokenService>,
    client: ClientIp,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let (name, secret) = all_valid((
        body.required("username", string),
        body.required("password", string),
    ))?;
    let ticket = authenticator.admit()?;
    let user = authenticator
        .check(&ticket, Account::Named(name), secret, &client)
        .await?;
    let pair = TokenPair {
        access: tokens
            .issue(TokenKind::Access, user.id)
            .map_err(ApiError::internal)?,
        refresh: tokens
            .issue(TokenKind::Refresh, user.id)
            .map_err(ApiError::internal)?,
    };
    Ok(HttpResponse::Ok().json(pair))
}

/// `POST /api/token/refresh/`: `{refresh}` -> `{access}`, while the account still exists and is
/// active.
pub async fn refresh(
    pool: web::Data<DbPool>,
    tokens: web::Data<TokenService>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let refresh = body.required("refresh", string)?;

    let user_id = tokens
        .verify(&refresh, TokenKind::Refresh)
        .ok_or(ApiError::TokenNotValid)?;
    let active = pool
        .query(move |conn| user::find(conn, user_id))
        .await?
        .is_some_and(|found| found.is_active);
    if !active {
        return Err(ApiError::TokenNotValid);
    }
    let access = tokens
        .issue(TokenKind::Access, user_id)
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(AccessToken { access }))
}
