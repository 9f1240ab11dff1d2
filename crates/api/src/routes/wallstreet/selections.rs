use actix_web::{web, HttpResponse};

use super::requested_week;
use crate::db::DbPool;
use crate::error::ApiError;
use crate::game::{picks, Game};
use crate::input::fields::option_id;
use crate::input::params::Query;
use crate::input::Identity;
use crate::input::JsonObject;
use crate::models::selection;
use crate::views::wallstreet::SelectionView;

/// `GET /api/wallstreet/selections/?sunday=D`: the caller's picks for a week (default: this one).
#[utoipa::path(
    get,
    path = "/api/wallstreet/selections",
    operation_id = "selections_list",
    tag = "wallstreet",
    security(("bearer" = [])),
    params(("sunday" = Option<chrono::NaiveDate>, Query, description = "The week, by its Sunday (default: this week).")),
    responses((status = 200, description = "The caller's picks for the week.", body = [SelectionView]))
)]
pub async fn list(
    pool: web::Data<DbPool>,
    game: web::Data<Game>,
    me: Identity,
    query: web::Query<Query>,
) -> Result<HttpResponse, ApiError> {
    let sunday = requested_week(&query, &game)?;
    let rows = pool
        .query(move |conn| selection::list_for(conn, me.user_id, sunday))
        .await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(SelectionView::from)
            .collect::<Vec<_>>(),
    ))
}

/// `POST /api/wallstreet/selections/`: `{option}`, under the rules of [`picks`].
#[utoipa::path(
    post,
    path = "/api/wallstreet/selections",
    operation_id = "selections_create",
    tag = "wallstreet",
    security(("bearer" = [])),
    request_body = crate::openapi::schemas::SelectionInput,
    responses(
        (status = 201, description = "Picked.", body = SelectionView),
        (status = 400, description = "No such option, already picked (`already_picked`) or three picks already (`pick_limit`).", body = crate::openapi::schemas::Invalid),
        (status = 409, description = "The week's picks are closed (`week_closed`) or another change is under way (`busy`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn create(
    pool: web::Data<DbPool>,
    game: web::Data<Game>,
    me: Identity,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let option_id = body.required("option", option_id)?;
    let created = picks::pick(&pool, game.into_inner(), me.user_id, option_id).await?;
    Ok(HttpResponse::Created().json(SelectionView::from(created)))
}

/// `GET /api/wallstreet/selections/{id}/`.
#[utoipa::path(
    get,
    path = "/api/wallstreet/selections/{id}",
    operation_id = "selections_retrieve",
    tag = "wallstreet",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The pick's id.")),
    responses((status = 200, description = "The pick.", body = SelectionView))
)]
pub async fn retrieve(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = pool
        .query(move |conn| selection::find_for(conn, me.user_id, id))
        .await?;
    Ok(HttpResponse::Ok().json(SelectionView::from(row.ok_or(ApiError::NotFound)?)))
}

/// `DELETE /api/wallstreet/selections/{id}/`, while the week's picks are open.
#[utoipa::path(
    delete,
    path = "/api/wallstreet/selections/{id}",
    operation_id = "selections_delete",
    tag = "wallstreet",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The pick's id.")),
    responses(
        (status = 204, description = "Withdrawn."),
        (status = 409, description = "The week's picks are closed (`week_closed`) or another change is under way (`busy`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn delete(
    pool: web::Data<DbPool>,
    game: web::Data<Game>,
    me: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    picks::delete(&pool, game.into_inner(), me.user_id, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
