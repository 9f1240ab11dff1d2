//! `/api/transactions/`: the caller's ledger. Every write is checked as a ledger in the same
//! database transaction: a SELL of more than its account held of its ticker on its date is a
//! 400 on `quantity`, and so is an edit or a deletion that would leave a later SELL short.

use actix_web::{web, HttpResponse};

use crate::auth::Identity;
use crate::db::DbPool;
use crate::domain::{Ticker, TransactionType};
use crate::error::ApiError;
use crate::input::entry::{merged, read_entry};
use crate::input::{params, JsonObject};
use crate::models::account;
use crate::models::transaction::{self, Filter, TransactionRow};
use crate::views::ledger::TransactionView;

fn view(row: TransactionRow) -> Result<TransactionView, ApiError> {
    TransactionView::try_from(row).map_err(ApiError::internal)
}

/// The `?account=` parameter: one of the caller's accounts, or a 404.
pub(crate) async fn account_param(
    pool: &DbPool,
    owner: i64,
    query: &params::Query,
) -> Result<Option<i64>, ApiError> {
    let Some(raw) = query
        .get("account")
        .map(|raw| raw.trim())
        .filter(|raw| !raw.is_empty())
    else {
        return Ok(None);
    };
    let id: i64 = raw
        .parse()
        .map_err(|_| ApiError::field("account", "A valid integer is required."))?;
    pool.query(move |conn| account::find_for(conn, owner, id))
        .await?
        .map(|account| Some(account.id))
        .ok_or(ApiError::NotFound)
}

/// `GET /api/transactions/[?account=&ticker=&type=&from=&to=]`: the caller's transactions by
/// date, then as entered.
#[utoipa::path(
    get,
    path = "/api/transactions",
    operation_id = "transactions_list",
    tag = "ledger",
    security(("bearer" = [])),
    params(
        ("account" = Option<i64>, Query, description = "One of the caller's accounts (another is a 404)."),
        ("ticker" = Option<String>, Query, description = "One ticker."),
        ("type" = Option<String>, Query, description = "`BUY`, `SELL`, `DIVIDEND` or `SPLIT`."),
        ("from" = Option<String>, Query, description = "On or after this date (`YYYY-MM-DD`)."),
        ("to" = Option<String>, Query, description = "On or before this date (`YYYY-MM-DD`)."),
    ),
    responses(
        (status = 200, description = "The transactions, by date.", body = [TransactionView]),
        (status = 404, description = "`account` is not one of the caller's (`not_found`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn list(
    pool: web::Data<DbPool>,
    me: Identity,
    query: web::Query<params::Query>,
) -> Result<HttpResponse, ApiError> {
    let ticker = match query.get("ticker").map(|raw| raw.trim()) {
        Some(raw) if !raw.is_empty() => {
            Some(Ticker::parse(raw).map_err(|err| ApiError::field("ticker", err))?)
        }
        _ => None,
    };
    let kind = match query.get("type").map(|raw| raw.trim()) {
        Some(raw) if !raw.is_empty() => {
            Some(TransactionType::parse(raw).map_err(|err| ApiError::field("type", err))?)
        }
        _ => None,
    };
    let filter = Filter {
        account: account_param(&pool, me.user_id, &query).await?,
        ticker: ticker.map(Ticker::into_inner),
        kind,
        from: params::date(&query, "from")?,
        to: params::date(&query, "to")?,
    };
    let rows = pool
        .query(move |conn| transaction::list_for(conn, me.user_id, &filter))
        .await?;
    let views = rows.into_iter().map(view).collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(views))
}

/// `POST /api/transactions/`.
#[utoipa::path(
    post,
    path = "/api/transactions",
    operation_id = "transactions_create",
    tag = "ledger",
    security(("bearer" = [])),
    request_body = crate::openapi::schemas::TransactionInput,
    responses((status = 201, description = "Created.", body = TransactionView))
)]
pub async fn create(
    pool: web::Data<DbPool>,
    me: Identity,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let row = pool
        .run(move |conn| {
            conn.write_transaction(|conn| -> Result<_, ApiError> {
                let accounts = account::list_for(conn, me.user_id)?;
                let entry = read_entry(&body, &accounts)?;
                Ok(transaction::create_checked(conn, me.user_id, &entry)?)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(view(row)?))
}

/// `GET /api/transactions/{id}/`.
#[utoipa::path(
    get,
    path = "/api/transactions/{id}",
    operation_id = "transactions_retrieve",
    tag = "ledger",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The transaction's id.")),
    responses((status = 200, description = "The transaction.", body = TransactionView))
)]
pub async fn retrieve(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = pool
        .query(move |conn| transaction::find_for(conn, me.user_id, id))
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(view(row)?))
}

/// `PATCH /api/transactions/{id}/`: changes the fields given; a new type drops the old type's
/// own fields, and needs its own.
#[utoipa::path(
    patch,
    path = "/api/transactions/{id}",
    operation_id = "transactions_patch",
    tag = "ledger",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The transaction's id.")),
    request_body(content = crate::openapi::schemas::TransactionInput, description = "The fields to change; any may be left out."),
    responses((status = 200, description = "Changed.", body = TransactionView))
)]
pub async fn patch(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
    body: Result<JsonObject, ApiError>,
) -> Result<HttpResponse, ApiError> {
    update(pool, me, id.into_inner(), body, Presence::Optional).await
}

/// `PUT /api/transactions/{id}/`: replaces the transaction.
#[utoipa::path(
    put,
    path = "/api/transactions/{id}",
    operation_id = "transactions_replace",
    tag = "ledger",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The transaction's id.")),
    request_body = crate::openapi::schemas::TransactionInput,
    responses((status = 200, description = "Replaced.", body = TransactionView))
)]
pub async fn replace(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
    body: Result<JsonObject, ApiError>,
) -> Result<HttpResponse, ApiError> {
    update(pool, me, id.into_inner(), body, Presence::Required).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Presence {
    Required,
    Optional,
}

/// Someone else's transaction is a 404 whatever the body says, so ownership is checked first.
async fn update(
    pool: web::Data<DbPool>,
    me: Identity,
    id: i64,
    body: Result<JsonObject, ApiError>,
    presence: Presence,
) -> Result<HttpResponse, ApiError> {
    let row = pool
        .run(move |conn| {
            conn.write_transaction(|conn| -> Result<_, ApiError> {
                let before =
                    transaction::find_for(conn, me.user_id, id)?.ok_or(ApiError::NotFound)?;
                let body = body?;
                let body = match presence {
                    Presence::Required => body,
                    Presence::Optional => {
                        let current = serde_json::to_value(view(before.clone())?)
                            .map_err(ApiError::internal)?;
                        let serde_json::Value::Object(current) = current else {
                            return Err(ApiError::internal("a transaction's view is an object"));
                        };
                        merged(current, &body)
                    }
                };
                let accounts = account::list_for(conn, me.user_id)?;
                let entry = read_entry(&body, &accounts)?;
                transaction::replace_checked(conn, me.user_id, &before, &entry)?
                    .ok_or(ApiError::NotFound)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(row)?))
}

/// `DELETE /api/transactions/{id}/`: refused (400 on `quantity`) when a later SELL would be
/// left short.
#[utoipa::path(
    delete,
    path = "/api/transactions/{id}",
    operation_id = "transactions_delete",
    tag = "ledger",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The transaction's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, description = "A later sale would be left short (`{\"quantity\": [...]}`).", body = crate::openapi::schemas::FieldErrors),
    )
)]
pub async fn delete(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    pool.run(move |conn| {
        conn.write_transaction(|conn| -> Result<_, ApiError> {
            let before = transaction::find_for(conn, me.user_id, id)?.ok_or(ApiError::NotFound)?;
            if transaction::delete_checked(conn, me.user_id, &before)? {
                Ok(())
            } else {
                Err(ApiError::NotFound)
            }
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
