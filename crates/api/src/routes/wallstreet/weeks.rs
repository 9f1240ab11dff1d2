use actix_web::{web, HttpResponse};

use crate::db::DbPool;
use crate::domain::Sunday;
use crate::error::ApiError;
use crate::game::lifecycle::{self, Step, StepContext};
use crate::game::Game;
use crate::input::fields::{all_valid, boolean, price_map};
use crate::input::Identity;
use crate::input::{params, JsonObject};
use crate::models::week::{self, GameOption};
use crate::prices::ManualPrices;
use crate::views::wallstreet::{OptionView, WeekView};

/// The week as the API shows it; `options` when the caller has just read them.
async fn view(
    pool: &web::Data<DbPool>,
    game: &Game,
    sunday: Sunday,
    options: Option<Vec<GameOption>>,
) -> Result<WeekView, ApiError> {
    let (found, options) = pool
        .query(move |conn| {
            let options = match options {
                Some(options) => options,
                None => week::options_of(conn, sunday.date())?,
            };
            Ok((week::find(conn, sunday.date())?, options))
        })
        .await?;
    Ok(WeekView {
        sunday: sunday.date(),
        picks_close_at: game.calendar.picks_close_at(sunday),
        ends_at: game.calendar.week_ends_at(sunday),
        picks_open: game.calendar.picks_open(sunday, game.clock.now()),
        started: found.as_ref().is_some_and(|w| w.started_at.is_some()),
        closed: found.as_ref().is_some_and(|w| w.closed_at.is_some()),
        options: options.into_iter().map(OptionView::from).collect(),
    })
}

/// `GET /api/wallstreet/weeks/{sunday}/`: the week's schedule, state and options (public).
#[utoipa::path(
    get,
    path = "/api/wallstreet/weeks/{sunday}",
    operation_id = "week_retrieve",
    tag = "wallstreet",
    params(("sunday" = chrono::NaiveDate, Path, description = "The week, by its Sunday.")),
    responses(
        (status = 200, description = "The week's schedule, state and options.", body = WeekView),
        (status = 400, description = "Not a date, or not a Sunday.", body = crate::openapi::schemas::Invalid),
    )
)]
pub async fn retrieve(
    pool: web::Data<DbPool>,
    game: web::Data<Game>,
    sunday: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let sunday = params::sunday(&sunday)?;
    Ok(HttpResponse::Ok().json(view(&pool, &game, sunday, None).await?))
}

/// `POST /api/wallstreet/weeks/{sunday}/open/` (staff): records start prices, from the body's
/// `{"prices": {"SPY": "412.50"}}` (adding any ticker that is not an option yet) or else from
/// the market-data source. Safe to repeat.
#[utoipa::path(
    post,
    path = "/api/wallstreet/weeks/{sunday}/open",
    operation_id = "week_open",
    tag = "wallstreet",
    security(("bearer" = [])),
    params(("sunday" = chrono::NaiveDate, Path, description = "The week, by its Sunday.")),
    request_body = crate::openapi::schemas::WeekStep,
    responses(
        (status = 200, description = "The week now.", body = WeekView),
        (status = 400, description = "Bad fields, not a Sunday, or the week is not ready (`week_not_ready`, `price_missing`).", body = crate::openapi::schemas::Invalid),
        (status = 403, description = "Staff only (`permission_denied`).", body = shared::wire::ErrorBody),
        (status = 409, description = "A different price is already recorded (`price_recorded`) or another change is under way (`busy`).", body = shared::wire::ErrorBody),
        (status = 429, description = "Over a limit (`throttled`); try again after `Retry-After` seconds.", body = shared::wire::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 502, description = "The market-data source failed (`bad_gateway`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn open(
    pool: web::Data<DbPool>,
    game: web::Data<Game>,
    me: Identity,
    sunday: web::Path<String>,
    body: Result<JsonObject, ApiError>,
) -> Result<HttpResponse, ApiError> {
    run(pool, game, me, sunday.into_inner(), body, false).await
}

/// `POST /api/wallstreet/weeks/{sunday}/close/` (staff): records end prices (given or fetched),
/// scores and ranks the options, once the week is over (`{"force": true}` closes it early).
/// Safe to repeat; a recorded end price is never changed.
#[utoipa::path(
    post,
    path = "/api/wallstreet/weeks/{sunday}/close",
    operation_id = "week_close",
    tag = "wallstreet",
    security(("bearer" = [])),
    params(("sunday" = chrono::NaiveDate, Path, description = "The week, by its Sunday.")),
    request_body = crate::openapi::schemas::WeekStep,
    responses(
        (status = 200, description = "The week now.", body = WeekView),
        (status = 400, description = "Bad fields, not a Sunday, or the week is not ready (`week_not_ready`, `price_missing`).", body = crate::openapi::schemas::Invalid),
        (status = 403, description = "Staff only (`permission_denied`).", body = shared::wire::ErrorBody),
        (status = 409, description = "A different price is already recorded (`price_recorded`) or another change is under way (`busy`).", body = shared::wire::ErrorBody),
        (status = 429, description = "Over a limit (`throttled`); try again after `Retry-After` seconds.", body = shared::wire::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 502, description = "The market-data source failed (`bad_gateway`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn close(
    pool: web::Data<DbPool>,
    game: web::Data<Game>,
    me: Identity,
    sunday: web::Path<String>,
    body: Result<JsonObject, ApiError>,
) -> Result<HttpResponse, ApiError> {
    run(pool, game, me, sunday.into_inner(), body, true).await
}

async fn run(
    pool: web::Data<DbPool>,
    game: web::Data<Game>,
    me: Identity,
    sunday: String,
    body: Result<JsonObject, ApiError>,
    closing: bool,
) -> Result<HttpResponse, ApiError> {
    me.require_staff()?;
    let sunday = params::sunday(&sunday)?;
    let body = body?;
    let (given, force) = all_valid((
        body.optional("prices", price_map),
        body.optional("force", boolean),
    ))?;
    let step = match closing {
        true => Step::Close {
            calendar: &game.calendar,
            force: force.unwrap_or(false),
        },
        false => Step::Open,
    };
    let options = lifecycle::run_step(StepContext {
        pool: &pool,
        market: game.prices.as_ref(),
        week: sunday,
        step,
        given: ManualPrices::new(given.unwrap_or_default()),
        now: game.clock.now(),
    })
    .await?;
    Ok(HttpResponse::Ok().json(view(&pool, &game, sunday, Some(options)).await?))
}
