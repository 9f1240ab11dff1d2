//! The caller's own account: `GET /api/users/me/`, changing its password and deleting it. Both
//! changes need the current password, checked like a login (throttled alike), so a stolen
//! access token alone can do neither.

use actix_web::{web, HttpResponse};

use crate::auth::{Account, AccountCache, AuthError, Authenticator};
use crate::db::{DbError, DbPool};
use crate::domain::{CurrencyCode, Owner, Password};
use crate::error::{ApiError, FieldErrors};
use crate::input::fields::{all_valid, string, text};
use crate::input::Identity;
use crate::input::{ClientIp, JsonObject};
use crate::models::{session, user};
use crate::views::user::AccountView;

/// `GET /api/users/me/`: `{id, username, email, is_staff, date_joined, base_currency}`.
#[utoipa::path(
    get,
    path = "/api/users/me",
    operation_id = "me_retrieve",
    tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's account.", body = AccountView))
)]
pub async fn retrieve(pool: web::Data<DbPool>, me: Identity) -> Result<HttpResponse, ApiError> {
    let found = pool
        .query(move |conn| user::find(conn, me.user_id))
        .await?
        .ok_or(ApiError::TokenNotValid)?;
    Ok(HttpResponse::Ok().json(AccountView::from(found)))
}

/// `PATCH /api/users/me/`: `{base_currency}`, the currency the caller's figures are reported
/// in; the account as it now is.
#[utoipa::path(
    patch,
    path = "/api/users/me",
    operation_id = "me_update",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = crate::openapi::schemas::AccountUpdate,
    responses(
        (status = 200, description = "The caller's account, changed.", body = AccountView),
        (status = 400, description = "An unknown currency code, or a field that cannot change here.", body = crate::openapi::schemas::Invalid),
    )
)]
pub async fn update(
    pool: web::Data<DbPool>,
    me: Identity,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    if let Some(other) = body.0.keys().find(|key| key.as_str() != "base_currency") {
        return Err(ApiError::field(
            other,
            "Only base_currency can be changed here.",
        ));
    }
    let currency = body.optional("base_currency", text(CurrencyCode::parse))?;
    let found = pool
        .query(move |conn| {
            if let Some(currency) = &currency {
                user::set_base_currency(conn, me.user_id, currency)?;
            }
            user::find(conn, me.user_id)
        })
        .await?
        .ok_or(ApiError::TokenNotValid)?;
    Ok(HttpResponse::Ok().json(AccountView::from(found)))
}

/// `POST /api/users/me/password/`: `{old_password, new_password}` -> 204. Every session of
/// the account ends, this one included: each device logs in again with the new password.
#[utoipa::path(
    post,
    path = "/api/users/me/password",
    operation_id = "me_change_password",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = crate::openapi::schemas::PasswordChange,
    responses(
        (status = 204, description = "Changed; every session of the account has ended."),
        (status = 400, description = "A wrong old password or a weak new one.", body = crate::openapi::schemas::Invalid),
        (status = 429, description = "Over a limit (`throttled`); try again after `Retry-After` seconds.", body = shared::wire::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub async fn change_password(
    pool: web::Data<DbPool>,
    accounts: web::Data<AccountCache>,
    authenticator: web::Data<Authenticator>,
    me: Identity,
    client: ClientIp,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let (old, new) = all_valid((
        body.required("old_password", string),
        body.required("new_password", string),
    ))?;
    let refused = |err| {
        wrong_password(
            err,
            "old_password",
            "Your old password was entered incorrectly. Please enter it again.",
        )
    };
    let ticket = authenticator.admit()?;
    // The ticket stays for hashing the new password, through the pacing too: this is no
    // endpoint a flood can reach without a valid access token.
    let account = authenticator
        .check(&ticket, Account::Id(me.user_id), old, client.0)
        .await
        .map_err(refused)?
        .paced()
        .await
        .map_err(refused)?;
    let owner = Owner {
        username: Some(&account.username),
        email: Some(&account.email),
    };
    let new = Password::parse(new, &owner).map_err(|problems| {
        ApiError::Fields(FieldErrors::from([("new_password".to_owned(), problems)]))
    })?;
    let password_hash = ticket.hash(new).await?;
    drop(ticket);
    let user_id = me.user_id;
    let ended = pool
        .run(move |conn| {
            conn.write_transaction(|conn| {
                user::set_password_hash(conn, user_id, &password_hash)?;
                Ok::<_, DbError>(session::end_all(conn, user_id)?)
            })
        })
        .await?;
    accounts.forget_user(user_id);
    log::info!("user {user_id} changed their password; {ended} sessions ended");
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /api/users/me/`: `{password}` -> 204. The account goes, and with it (through the
/// database's cascading keys) its holdings, picks and sessions.
#[utoipa::path(
    delete,
    path = "/api/users/me",
    operation_id = "me_delete",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = crate::openapi::schemas::PasswordConfirmation,
    responses(
        (status = 204, description = "The account and all its data are gone."),
        (status = 400, description = "A wrong password.", body = crate::openapi::schemas::Invalid),
        (status = 429, description = "Over a limit (`throttled`); try again after `Retry-After` seconds.", body = shared::wire::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub async fn delete(
    pool: web::Data<DbPool>,
    accounts: web::Data<AccountCache>,
    authenticator: web::Data<Authenticator>,
    me: Identity,
    client: ClientIp,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let password = body.required("password", string)?;
    let refused = |err| {
        wrong_password(
            err,
            "password",
            "Your password was entered incorrectly. Please enter it again.",
        )
    };
    let ticket = authenticator.admit()?;
    let checked = authenticator
        .check(&ticket, Account::Id(me.user_id), password, client.0)
        .await
        .map_err(refused)?;
    drop(ticket);
    checked.paced().await.map_err(refused)?;
    let user_id = me.user_id;
    pool.query(move |conn| user::delete(conn, user_id)).await?;
    accounts.forget_user(user_id);
    log::info!("user {user_id} deleted their account");
    Ok(HttpResponse::NoContent().finish())
}

/// A wrong password here is the field's error (the caller is logged in; nothing to hide).
fn wrong_password(err: AuthError, field: &str, message: &str) -> ApiError {
    match err {
        AuthError::InvalidCredentials => ApiError::field(field, message),
        other => other.into(),
    }
}
