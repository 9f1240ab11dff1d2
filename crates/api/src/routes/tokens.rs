use actix_web::{web, HttpResponse};

use crate::auth::{password, TokenKind, TokenService};
use crate::db::DbPool;
use crate::domain::Username;
use crate::error::ApiError;
use crate::input::fields::{all_valid, string};
use crate::input::JsonObject;
use crate::models::user;
use crate::views::token::{AccessToken, TokenPair};

/// `POST /api/token/`: `{username, password}` -> `{access, refresh}`.
pub async fn obtain(
    pool: web::Data<DbPool>,
    tokens: web::Data<TokenService>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let (name, secret) = all_valid((
        body.required("username", string),
        body.required("password", string),
    ))?;

    let user_id = pool
        .run(move |conn| {
            // A name no account can have (NUL bytes, say) is not even looked up: PostgreSQL refuses
            // some of them outright, and the answer must look like any other failed login.
            let found = match Username::parse(&name) {
                Ok(valid) => user::find_by_key(conn, &valid.key())?,
                Err(_) => None,
            };
            match found {
                Some(found)
                    if password::verify(&secret, &found.password_hash) && found.is_active =>
                {
                    Ok(found.id)
                }
                Some(_) => Err(ApiError::InvalidCredentials),
                None => {
                    password::verify_against_nothing(&secret);
                    Err(ApiError::InvalidCredentials)
                }
            }
        })
        .await?;
    let pair = TokenPair {
        access: tokens
            .issue(TokenKind::Access, user_id)
            .map_err(ApiError::internal)?,
        refresh: tokens
            .issue(TokenKind::Refresh, user_id)
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
