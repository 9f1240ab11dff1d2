use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::db::{DbConn, DbPool};
use crate::domain::{BuyDate, CostBasis, Shares, Ticker};
use crate::error::{short_sale_message, ApiError};
use crate::input::fields::{all_valid, decimal, text};
use crate::input::Identity;
use crate::input::{params, CsvBody, JsonObject};
use crate::models::asset::{self, AssetChanges, NewAsset};
use crate::models::transaction::WriteError;
use crate::portfolio::holdings_csv::{self, ImportRow, RowError};
use crate::routes::csv_files;
use crate::views::asset::AssetView;
use crate::views::portfolio::{ImportErrorView, ImportReport};

/// `GET /api/assets/`: the caller's holdings, oldest first.
#[utoipa::path(
    get,
    path = "/api/assets",
    operation_id = "assets_list",
    tag = "portfolio",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's holdings, oldest first.", body = [AssetView]))
)]
pub async fn list(pool: web::Data<DbPool>, me: Identity) -> Result<HttpResponse, ApiError> {
    let rows = read(&pool, move |conn| asset::list_for(conn, me.user_id)).await?;
    let views: Vec<AssetView> = rows.into_iter().map(AssetView::from).collect();
    Ok(HttpResponse::Ok().json(views))
}

/// `POST /api/assets/`: a new holding owned by the caller (any `user` in the body is ignored).
#[utoipa::path(
    post,
    path = "/api/assets",
    operation_id = "assets_create",
    tag = "portfolio",
    security(("bearer" = [])),
    request_body = crate::openapi::schemas::AssetInput,
    responses((status = 201, description = "Created.", body = AssetView))
)]
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
    let row = write(&pool, move |conn| asset::create(conn, &new)).await?;
    Ok(HttpResponse::Created().json(AssetView::from(row)))
}

/// `GET /api/assets/{id}/`.
#[utoipa::path(
    get,
    path = "/api/assets/{id}",
    operation_id = "assets_retrieve",
    tag = "portfolio",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The holding's id.")),
    responses((status = 200, description = "The holding.", body = AssetView))
)]
pub async fn retrieve(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = read(&pool, move |conn| asset::find_for(conn, me.user_id, id)).await?;
    let row = row.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(AssetView::from(row)))
}

/// `PATCH /api/assets/{id}/`: changes the fields given.
#[utoipa::path(
    patch,
    path = "/api/assets/{id}",
    operation_id = "assets_patch",
    tag = "portfolio",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The holding's id.")),
    request_body(content = crate::openapi::schemas::AssetInput, description = "The fields to change; any may be left out."),
    responses((status = 200, description = "Changed.", body = AssetView))
)]
pub async fn patch(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
    body: Result<JsonObject, ApiError>,
) -> Result<HttpResponse, ApiError> {
    update(pool, me, id.into_inner(), body, Presence::Optional).await
}

/// `PUT /api/assets/{id}/`: replaces every field.
#[utoipa::path(
    put,
    path = "/api/assets/{id}",
    operation_id = "assets_replace",
    tag = "portfolio",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The holding's id.")),
    request_body = crate::openapi::schemas::AssetInput,
    responses((status = 200, description = "Replaced.", body = AssetView))
)]
pub async fn replace(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
    body: Result<JsonObject, ApiError>,
) -> Result<HttpResponse, ApiError> {
    update(pool, me, id.into_inner(), body, Presence::Required).await
}

/// `DELETE /api/assets/{id}/`.
#[utoipa::path(
    delete,
    path = "/api/assets/{id}",
    operation_id = "assets_delete",
    tag = "portfolio",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The holding's id.")),
    responses((status = 204, description = "Deleted."))
)]
pub async fn delete(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let deleted = write(&pool, move |conn| asset::delete_for(conn, me.user_id, id)).await?;
    if deleted {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound)
    }
}

/// Reads holdings.
async fn read<T: Send + 'static>(
    pool: &DbPool,
    work: impl FnOnce(&mut DbConn) -> Result<T, WriteError> + Send + 'static,
) -> Result<T, ApiError> {
    pool.run(move |conn| work(conn).map_err(holding_error))
        .await
}

/// Writes holdings in one write transaction, rolled back when the ledger refuses the change.
async fn write<T: Send + 'static>(
    pool: &DbPool,
    work: impl FnOnce(&mut DbConn) -> Result<T, WriteError> + Send + 'static,
) -> Result<T, ApiError> {
    pool.run(move |conn| conn.write_transaction(|conn| work(conn).map_err(holding_error)))
        .await
}

/// A holding's quantity is its `shares`: a change that leaves a later sale short is that
/// field's error here.
fn holding_error(err: WriteError) -> ApiError {
    match err {
        WriteError::Short(short) => ApiError::field("shares", short_sale_message(&short)),
        other => other.into(),
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
    let owned = read(&pool, move |conn| asset::find_for(conn, me.user_id, id))
        .await?
        .is_some();
    if !owned {
        return Err(ApiError::NotFound);
    }
    let changes = read_changes(body?, presence)?;
    let row = write(&pool, move |conn| {
        asset::update_for(conn, me.user_id, id, &changes)
    })
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

/// `GET /api/assets/export.csv`: the caller's holdings as `ticker,shares,costbasis,buy`, exactly
/// as stored, oldest first.
#[utoipa::path(
    get,
    path = "/api/assets/export.csv",
    operation_id = "assets_export_csv",
    tag = "portfolio",
    security(("bearer" = [])),
    responses((status = 200, description = "`ticker,shares,costbasis,buy`, one holding a line, oldest first.", content_type = "text/csv", body = String))
)]
pub async fn export_csv(pool: web::Data<DbPool>, me: Identity) -> Result<HttpResponse, ApiError> {
    let rows = read(&pool, move |conn| asset::list_for(conn, me.user_id)).await?;
    let body = holdings_csv::export(&rows).map_err(ApiError::internal)?;
    Ok(csv_files::download(body, "holdings.csv"))
}

/// `POST /api/assets/import/[?dry_run=true]` (`text/csv`): adds the file's holdings, skipping
/// those already present (a holding with the same ticker, shares, cost basis and buy date;
/// each present one skips one row), so importing a file twice adds nothing. All or nothing:
/// any bad row is reported (by row, the header being row 1) and nothing is written. A dry run
/// reports the same and writes nothing, with a 200 even when there are errors.
#[utoipa::path(
    post,
    path = "/api/assets/import",
    operation_id = "assets_import",
    tag = "portfolio",
    security(("bearer" = [])),
    params(("dry_run" = Option<bool>, Query, description = "Report only, write nothing (`true`/`false`, `1`/`0`).")),
    request_body(content = String, content_type = "text/csv", description = "`ticker,shares,costbasis,buy` with a header line."),
    responses(
        (status = 200, description = "Imported (or, on a dry run, what would be, errors and all).", body = ImportReport),
        (status = 400, description = "Bad rows (nothing written), or a bad `dry_run`.", body = crate::openapi::schemas::ImportRefused),
    )
)]
pub async fn import(
    pool: web::Data<DbPool>,
    me: Identity,
    query: web::Query<params::Query>,
    body: CsvBody,
) -> Result<HttpResponse, ApiError> {
    let dry_run = params::flag(&query, "dry_run")?.unwrap_or(false);
    let rows = match holdings_csv::parse(&body.0) {
        Ok(rows) => rows,
        Err(errors) => return Ok(csv_files::refused(errors, dry_run)),
    };
    let (created, skipped) = pool
        .run(move |conn| {
            conn.write_transaction(|conn| -> Result<_, ApiError> {
                let existing = asset::list_for(conn, me.user_id)?;
                let (new, skipped) = not_present(&existing, rows, me.user_id);
                if !dry_run {
                    for holding in &new {
                        asset::create(conn, holding)?;
                    }
                }
                Ok((new.len(), skipped))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(ImportReport {
        created,
        skipped,
        errors: Vec::new(),
    }))
}

type HoldingKey = (String, Decimal, Decimal, NaiveDate);

/// The rows to create, and how many were skipped as already present.
fn not_present(
    existing: &[asset::Asset],
    rows: Vec<ImportRow>,
    owner: i64,
) -> (Vec<NewAsset>, usize) {
    let mut present: HashMap<HoldingKey, usize> = HashMap::new();
    for asset in existing {
        let key = (
            asset.ticker.clone(),
            asset.shares.0,
            asset.costbasis.0,
            asset.buy,
        );
        *present.entry(key).or_default() += 1;
    }
    let mut new = Vec::new();
    let mut skipped = 0;
    for row in rows {
        let key = (
            row.ticker.as_str().to_owned(),
            row.shares.value(),
            row.costbasis.value(),
            row.buy.into_inner(),
        );
        match present.get_mut(&key) {
            Some(count) if *count > 0 => {
                *count -= 1;
                skipped += 1;
            }
            _ => new.push(NewAsset {
                user_id: owner,
                ticker: row.ticker,
                shares: row.shares,
                costbasis: row.costbasis,
                buy: row.buy,
            }),
        }
    }
    (new, skipped)
}

impl From<RowError> for ImportErrorView {
    fn from(err: RowError) -> Self {
        Self {
            row: err.row,
            field: err.field,
            message: err.message,
        }
    }
}
