use std::time::Instant;

use actix_web::{web, HttpResponse};

use crate::auth::password::Verification;
use crate::auth::{LoginTiming, TokenKind, TokenService};
use crate::db::{DbConn, DbPool};
use crate::domain::Username;
use crate::error::ApiError;
use crate::input::fields::{all_valid, string};
use crate::input::JsonObject;
use crate::models::user;
use crate::views::token::{AccessToken, TokenPair};

/// `POST /api/token/`: `{username, password}` -> `{access, refresh}`. Every attempt takes at
/// least the login floor (see `auth::login_timing`), so its timing tells nothing of the
/// account's hash kind. An imported account's first successful login replaces its Django hash
/// with our Argon2id.
pub async fn obtain(
    pool: web::Data<DbPool>,
    tokens: web::Data<TokenService>,
    timing: web::Data<LoginTiming>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let (name, secret) = all_valid((
        body.required("username", string),
        body.required("password", string),
    ))?;

    let started = Instant::now();
    let checker = timing.clone();
    let outcome = pool
        .run(move |conn| {
            // A name no account can have (NUL bytes, say) is not even looked up: PostgreSQL refuses
            // some of them outright, and the answer must look like any other failed login.
            let found = match Username::parse(&name) {
                Ok(valid) => user::find_by_key(conn, &valid.key())?,
                Err(_) => None,
            };
            let Some(found) = found else {
                checker.check_nothing(&secret);
                return Err(ApiError::InvalidCredentials);
            };
            let verification = checker.check(&secret, &found.password_hash);
            if !verification.is_match() || !found.is_active {
                return Err(ApiError::InvalidCredentials);
            }
            if let Verification::VerifiedNeedsUpgrade { new_hash } = verification {
                upgrade_password_hash(conn, &found, &new_hash);
            }
            Ok(found.id)
        })
        .await;
    timing.pace(started).await;
    let user_id = outcome?;
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

/// Stores the Argon2id hash in place of the imported one. A failure only delays the upgrade
/// to the next login, so it does not fail this one.
fn upgrade_password_hash(conn: &mut DbConn, found: &user::User, new_hash: &str) {
    match user::replace_password_hash(conn, found.id, &found.password_hash, new_hash) {
        Ok(true) => log::info!(
            "user {}: imported password hash upgraded to Argon2id",
            found.id
        ),
        Ok(false) => {}
        Err(err) => log::warn!(
            "user {}: upgrading the password hash failed: {err}",
            found.id
        ),
    }
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
