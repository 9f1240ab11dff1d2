use actix_web::{web, HttpResponse};

use crate::auth::Identity;
use crate::db::DbPool;
use crate::domain::{BuyDate, CostBasis, Shares, Ticker};
use crate::error::ApiError;
use crate::input::fields::{all_valid, decimal, text};
use crate::input::JsonObject;
use crate::models::asset::{self, AssetChanges, NewAsset};
use crate::views::asset::AssetView;

/// `GET /api/assets/`: the caller's holdings, oldest first.
pub async fn list(pool: web::Data<DbPool>, me: Identity) -> Result<HttpResponse, ApiError> {
    let rows = pool
        .query(move |conn| asset::list_for(conn, me.user_id))
        .await?;
    let views: Vec<AssetView> = rows.into_iter().map(AssetView::from).collect();
    Ok(HttpResponse::Ok().json(views))
}

/// `POST /api/assets/`: a new holding owned by the caller (any `user` in the body is ignored).
pub async fn create(
    pool: web::Data<DbPool>,
    me: Identity,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let (ticker, shares, costbasis, buy) = all_valid((
        body.required("ticker", text(Ticker::parse)),
        body.required("shares", decimal(Shares::parse)),
        body.required("costbasis", decimal(CostBasis::parse)),
        body.required("buy", text(BuyDate::parse)),
    ))?;
    let new = NewAsset {
        user_id: me.user_id,
        ticker,
        shares,
        costbasis,
        buy,
    };
    let row = pool.query(move |conn| asset::create(conn, &new)).await?;
    Ok(HttpResponse::Created().json(AssetView::from(row)))
}

/// `GET /api/assets/{id}/`.
pub async fn retrieve(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = pool
        .query(move |conn| asset::find_for(conn, me.user_id, id))
        .await?;
    let row = row.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(AssetView::from(row)))
}

/// `PATCH /api/assets/{id}/`: changes the fields given.
pub async fn patch(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
    body: Result<JsonObject, ApiError>,
) -> Result<HttpResponse, ApiError> {
    update(pool, me, id.into_inner(), body, Presence::Optional).await
}

/// `PUT /api/assets/{id}/`: replaces every field.
pub async fn replace(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
    body: Result<JsonObject, ApiError>,
) -> Result<HttpResponse, ApiError> {
    update(pool, me, id.into_inner(), body, Presence::Required).await
}

/// `DELETE /api/assets/{id}/`.
pub async fn delete(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let deleted = pool
        .query(move |conn| asset::delete_for(conn, me.user_id, id))
        .await?;
    if deleted {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound)
    }
}

/// Someone else's holding is a 404 whatever the body says, so ownership is checked before the
/// body is even looked at.
async fn update(
    pool: web::Data<DbPool>,
    me: Identity,
    id: i64,
    body: Result<JsonObject, ApiError>,
    presence: Presence,
) -> Result<HttpResponse, ApiError> {
    let owned = pool
        .query(move |conn| asset::find_for(conn, me.user_id, id))
        .await?
        .is_some();
    if !owned {
        return Err(ApiError::NotFound);
    }
    let changes = read_changes(body?, presence)?;
    let row = pool
        .query(move |conn| asset::update_for(conn, me.user_id, id, &changes))
        .await?;
    let row = row.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(AssetView::from(row)))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Presence {
    Required,
    Optional,
}

/// The holding fields of a PUT (all of them) or a PATCH (those given), every bad one reported
/// at once.
fn read_changes(body: JsonObject, presence: Presence) -> Result<AssetChanges, ApiError> {
    let required = presence == Presence::Required;
    let (ticker, shares, costbasis, buy) = all_valid((
        body.field("ticker", required, text(Ticker::parse)),
        body.field("shares", required, decimal(Shares::parse)),
        body.field("costbasis", required, decimal(CostBasis::parse)),
        body.field("buy", required, text(BuyDate::parse)),
    ))?;
    Ok(AssetChanges {
        ticker,
        shares,
        costbasis,
        buy,
    })
}
