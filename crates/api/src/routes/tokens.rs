use actix_web::{web, HttpResponse};

use crate::auth::tokens::{self, SessionToken};
use crate::auth::{Account, AccountCache, Authenticator, TokenKind, TokenService};
use crate::db::{DbError, DbPool};
use crate::error::ApiError;
use crate::input::fields::{all_valid, string};
use crate::input::{ClientIp, JsonObject};
use crate::models::session;
use crate::views::token::TokenPair;

/// `POST /api/token/`: `{username, password}` -> `{access, refresh}` of a new session,
/// throttled per username and per client address (see `auth::throttle`).
#[utoipa::path(
    post,
    path = "/api/token",
    operation_id = "token_obtain",
    tag = "accounts",
    request_body = crate::openapi::schemas::Credentials,
    responses(
        (status = 200, description = "A new session's tokens.", body = TokenPair),
        (status = 401, description = "Wrong username or password (`no_active_account`).", body = shared::wire::ErrorBody),
        (status = 429, description = "Over a limit (`throttled`); try again after `Retry-After` seconds.", body = shared::wire::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub async fn obtain(
    pool: web::Data<DbPool>,
    authenticator: web::Data<Authenticator>,
    tokens: web::Data<TokenService>,
    client: ClientIp,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let (name, secret) = all_valid((
        body.required_as_given("username", string),
        body.required_as_given("password", string),
    ))?;
    let ticket = authenticator.admit()?;
    let checked = authenticator
        .check(&ticket, Account::Named(name), secret, client.0)
        .await?;
    drop(ticket);
    let user = checked.paced().await?;
    let now = tokens::now();
    let expires_at = tokens.refresh_expiry(now);
    let session_id = pool
        .query(move |conn| session::create(conn, user.id, now, expires_at))
        .await?;
    let session = SessionToken {
        user_id: user.id,
        session_id,
        generation: 0,
    };
    Ok(HttpResponse::Ok().json(pair(&tokens, session, now)?))
}

/// `POST /api/token/refresh/`: `{refresh}` -> `{access, refresh}`. The refresh token rotates:
/// the one given is used up, and using it again (someone has a copy) ends its whole session.
#[utoipa::path(
    post,
    path = "/api/token/refresh",
    operation_id = "token_refresh",
    tag = "accounts",
    request_body = crate::openapi::schemas::RefreshToken,
    responses(
        (status = 200, description = "The next tokens; the given refresh token is used up.", body = TokenPair),
        (status = 401, description = "Not a valid refresh token, or one already used (its session is then ended) (`token_not_valid`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn refresh(
    pool: web::Data<DbPool>,
    tokens: web::Data<TokenService>,
    accounts: web::Data<AccountCache>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let refresh = body.required_as_given("refresh", string)?;
    let claimed = tokens
        .verify(&refresh, TokenKind::Refresh)
        .ok_or(ApiError::TokenNotValid)?;
    let now = tokens::now();
    let expires_at = tokens.refresh_expiry(now);
    let rotated = pool
        .run(move |conn| {
            conn.write_transaction(|conn| {
                let SessionToken {
                    user_id,
                    session_id,
                    generation,
                } = claimed;
                if session::advance(conn, session_id, user_id, generation, now, expires_at)? {
                    return Ok(true);
                }
                // Used up, expired, ended or its account deactivated: whichever, the session
                // is over. Only a generation past this token's means a copy was used.
                if let Some(reached) = session::end(conn, session_id, user_id)? {
                    if reached > generation {
                        log::warn!(
                            "a used refresh token of user {user_id} came back: session \
                             {session_id} ended"
                        );
                    }
                }
                Ok::<_, DbError>(false)
            })
        })
        .await?;
    if !rotated {
        accounts.forget_session(claimed.session_id);
        return Err(ApiError::TokenNotValid);
    }
    let next = SessionToken {
        generation: claimed.generation + 1,
        ..claimed
    };
    Ok(HttpResponse::Ok().json(pair(&tokens, next, now)?))
}

/// `POST /api/token/logout/`: `{refresh}` -> 204; the token's session ends, and with it every
/// token of that login. Logging out twice is harmless.
#[utoipa::path(
    post,
    path = "/api/token/logout",
    operation_id = "token_logout",
    tag = "accounts",
    request_body = crate::openapi::schemas::RefreshToken,
    responses(
        (status = 204, description = "The session has ended."),
        (status = 401, description = "Not a valid refresh token (`token_not_valid`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn logout(
    pool: web::Data<DbPool>,
    tokens: web::Data<TokenService>,
    accounts: web::Data<AccountCache>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let refresh = body.required_as_given("refresh", string)?;
    let claimed = tokens
        .verify(&refresh, TokenKind::Refresh)
        .ok_or(ApiError::TokenNotValid)?;
    pool.query(move |conn| session::end(conn, claimed.session_id, claimed.user_id))
        .await?;
    accounts.forget_session(claimed.session_id);
    Ok(HttpResponse::NoContent().finish())
}

fn pair(tokens: &TokenService, session: SessionToken, now: i64) -> Result<TokenPair, ApiError> {
    Ok(TokenPair {
        access: tokens
            .issue(TokenKind::Access, session, now)
            .map_err(ApiError::internal)?,
        refresh: tokens
            .issue(TokenKind::Refresh, session, now)
            .map_err(ApiError::internal)?,
    })
}
