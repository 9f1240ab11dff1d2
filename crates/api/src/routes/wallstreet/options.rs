use actix_web::{web, HttpResponse};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::requested_week;
use crate::db::DbPool;
use crate::domain::{Price, Sunday, Ticker};
use crate::error::ApiError;
use crate::game::Game;
use crate::input::fields::{all_valid, decimal, text};
use crate::input::params::Query;
use crate::input::Identity;
use crate::input::JsonObject;
use crate::models::week::{self, NewOption};
use crate::views::wallstreet::OptionView;

/// `GET /api/wallstreet/options/?sunday=D`: a week's tickers (public). A date that is not a
/// Sunday names no week, so it simply has none.
#[utoipa::path(
    get,
    path = "/api/wallstreet/options",
    operation_id = "options_list",
    tag = "wallstreet",
    params(("sunday" = Option<chrono::NaiveDate>, Query, description = "The week, by its Sunday (default: this week).")),
    responses((status = 200, description = "The week's tickers.", body = [OptionView]))
)]
pub async fn list(
    pool: web::Data<DbPool>,
    game: web::Data<Game>,
    query: web::Query<Query>,
) -> Result<HttpResponse, ApiError> {
    let sunday = requested_week(&query, &game)?;
    let rows = pool
        .query(move |conn| week::options_of(conn, sunday))
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(OptionView::from).collect::<Vec<_>>()))
}

/// `POST /api/wallstreet/options/`: `{ticker, sunday, start_price?}` (staff only).
#[utoipa::path(
    post,
    path = "/api/wallstreet/options",
    operation_id = "options_create",
    tag = "wallstreet",
    security(("bearer" = [])),
    request_body = crate::openapi::schemas::OptionInput,
    responses(
        (status = 201, description = "Created.", body = OptionView),
        (status = 403, description = "Staff only (`permission_denied`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn create(
    pool: web::Data<DbPool>,
    me: Identity,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    me.require_staff()?;
    let (ticker, sunday, start_price) = all_valid((
        body.required("ticker", text(Ticker::parse)),
        body.required("sunday", text(Sunday::parse)),
        body.optional("start_price", decimal(Price::parse)),
    ))?;
    let new = NewOption {
        sunday,
        ticker,
        start_price,
    };
    let row = pool
        .run(move |conn| {
            conn.write_transaction(|conn| {
                week::ensure(conn, new.sunday.date())?;
                week::insert_option(conn, &new).map_err(|err| match err {
                    DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                        ApiError::field(
                            "ticker",
                            format!(
                                "{} is already an option for the week of {}.",
                                new.ticker.as_str(),
                                new.sunday
                            ),
                        )
                    }
                    other => other.into(),
                })
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(OptionView::from(row)))
}
