//! `/api/accounts/`: the caller's brokerage accounts. A new user has one, `Main`, in USD; an
//! account that holds transactions cannot be deleted (409 `not_empty`), nor the last one
//! (409 `last_account`).

use actix_web::{web, HttpResponse};

use crate::db::DbPool;
use crate::domain::{AccountName, CurrencyCode};
use crate::error::ApiError;
use crate::input::fields::{all_valid, text};
use crate::input::Identity;
use crate::input::JsonObject;
use crate::models::account::{self, AccountError};
use crate::views::ledger::BrokerageAccountView;

impl From<AccountError> for ApiError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::NameTaken => {
                ApiError::field("name", "You already have an account with this name.")
            }
            AccountError::NotEmpty => ApiError::conflict(
                "This account holds transactions; delete or move them first.",
                "not_empty",
            ),
            AccountError::LastOne => {
                ApiError::conflict("You keep at least one account.", "last_account")
            }
            AccountError::Database(err) => err.into(),
        }
    }
}

/// `GET /api/accounts/`: the caller's accounts, oldest first.
#[utoipa::path(
    get,
    path = "/api/accounts",
    operation_id = "accounts_list",
    tag = "ledger",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's accounts, oldest first.", body = [BrokerageAccountView]))
)]
pub async fn list(pool: web::Data<DbPool>, me: Identity) -> Result<HttpResponse, ApiError> {
    let accounts = pool
        .query(move |conn| account::list_for(conn, me.user_id))
        .await?;
    let views: Vec<BrokerageAccountView> = accounts
        .into_iter()
        .map(BrokerageAccountView::from)
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

/// `POST /api/accounts/` `{name, currency?}`.
#[utoipa::path(
    post,
    path = "/api/accounts",
    operation_id = "accounts_create",
    tag = "ledger",
    security(("bearer" = [])),
    request_body = crate::openapi::schemas::AccountInput,
    responses((status = 201, description = "Created.", body = BrokerageAccountView))
)]
pub async fn create(
    pool: web::Data<DbPool>,
    me: Identity,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let (name, currency) = all_valid((
        body.required("name", text(AccountName::parse)),
        body.optional("currency", text(CurrencyCode::parse)),
    ))?;
    let currency =
        currency.unwrap_or_else(|| CurrencyCode::parse(CurrencyCode::USD).expect("a valid code"));
    let created = pool
        .run(move |conn| {
            account::create(conn, me.user_id, &name, &currency).map_err(ApiError::from)
        })
        .await?;
    Ok(HttpResponse::Created().json(BrokerageAccountView::from(created)))
}

/// `PATCH /api/accounts/{id}/` `{name}`: renames the account (its currency stays).
#[utoipa::path(
    patch,
    path = "/api/accounts/{id}",
    operation_id = "accounts_patch",
    tag = "ledger",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The account's id.")),
    request_body = crate::openapi::schemas::AccountInput,
    responses((status = 200, description = "Renamed.", body = BrokerageAccountView))
)]
pub async fn patch(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
    body: Result<JsonObject, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let owned = pool
        .query(move |conn| account::find_for(conn, me.user_id, id))
        .await?
        .ok_or(ApiError::NotFound)?;
    let body = body?;
    if body.0.contains_key("currency") {
        let given = body.optional("currency", text(CurrencyCode::parse))?;
        if given.is_some_and(|code| code.as_str() != owned.currency) {
            return Err(ApiError::field(
                "currency",
                "An account's currency cannot change once it is opened.",
            ));
        }
    }
    let Some(name) = body.optional("name", text(AccountName::parse))? else {
        return Ok(HttpResponse::Ok().json(BrokerageAccountView::from(owned)));
    };
    let renamed = pool
        .run(move |conn| account::rename_for(conn, me.user_id, id, &name).map_err(ApiError::from))
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(BrokerageAccountView::from(renamed)))
}

/// `DELETE /api/accounts/{id}/`: an empty account, not the caller's last.
#[utoipa::path(
    delete,
    path = "/api/accounts/{id}",
    operation_id = "accounts_delete",
    tag = "ledger",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The account's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 409, description = "The account holds transactions (`not_empty`), or it is the caller's last (`last_account`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn delete(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let deleted = pool
        .run(move |conn| {
            conn.write_transaction(|conn| {
                account::delete_for(conn, me.user_id, id).map_err(ApiError::from)
            })
        })
        .await?;
    if deleted {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound)
    }
}
