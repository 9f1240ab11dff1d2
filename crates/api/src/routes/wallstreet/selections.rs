use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde_json::Value;

use super::requested_week;
use crate::auth::Identity;
use crate::db::DbPool;
use crate::domain::Sunday;
use crate::error::ApiError;
use crate::game::Game;
use crate::models::selection::{self, NewSelection};
use crate::models::week;
use crate::payload::{Fields, JsonObject};
use crate::views::wallstreet::SelectionView;

pub const PICKS_PER_WEEK: i16 = 3;
/// Attempts at taking a free pick slot when concurrent picks race for the same one.
const SLOT_ATTEMPTS: usize = 10;

/// `GET /api/wallstreet/selections/?sunday=D`: the caller's picks for a week (default: this one).
pub async fn list(
    pool: web::Data<DbPool>,
    game: web::Data<Game>,
    me: Identity,
    query: web::Query<HashMap<String, String>>,
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

/// Why one attempt at a pick did not succeed.
enum PickError {
    Refused(ApiError),
    /// A concurrent pick took the slot this one chose; try again with fresh data.
    Raced,
}

impl From<DieselError> for PickError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::Raced,
            other => Self::Refused(other.into()),
        }
    }
}

impl From<ApiError> for PickError {
    fn from(err: ApiError) -> Self {
        Self::Refused(err)
    }
}

/// `POST /api/wallstreet/selections/`: `{option}`. The limit of three per week and one per
/// option are unique keys in the database, so they hold under concurrent requests.
pub async fn create(
    pool: web::Data<DbPool>,
    game: web::Data<Game>,
    me: Identity,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::new(body);
    let option_id = fields.required("option", option_id);
    let option_id = fields.finish(|| option_id)?;
    let game = game.into_inner();
    let created = pool
        .run(move |conn| {
        for _ in 0..SLOT_ATTEMPTS {
            let attempt = conn.write_transaction(|conn| -> Result<_, PickError> {
                let option = week::find_option(conn, option_id)?.ok_or_else(|| invalid_option(option_id))?;
                let sunday = Sunday::from_date(option.sunday).ok_or_else(|| invalid_option(option_id))?;
                ensure_picks_open(&game, sunday)?;
                let (used, already) = selection::usage(conn, me.user_id, option.sunday, option_id)?;
                if already {
                    return Err(ApiError::bad_request("You already picked this option.", "already_picked").into());
                }
                let slot = (1..=PICKS_PER_WEEK).find(|slot| !used.contains(slot)).ok_or_else(|| {
                    ApiError::bad_request(
                        format!("You can pick at most {PICKS_PER_WEEK} options per week; delete one to pick another."),
                        "pick_limit",
                    )
                })?;
                let new = NewSelection {
                    user_id: me.user_id,
                    option_id,
                    sunday: option.sunday,
                    slot,
                    created_at: game.clock.now().naive_utc(),
                };
                let row = selection::insert(conn, &new)?;
                Ok((row, option.ticker))
            });
            match attempt {
                Ok(created) => return Ok(created),
                Err(PickError::Refused(err)) => return Err(err),
                Err(PickError::Raced) => continue,
            }
        }
        Err(ApiError::conflict("Too many concurrent picks; try again.", "busy"))
        })
        .await?;
    Ok(HttpResponse::Created().json(SelectionView::from(created)))
}

/// `GET /api/wallstreet/selections/{id}/`.
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
pub async fn delete(
    pool: web::Data<DbPool>,
    game: web::Data<Game>,
    me: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let game = game.into_inner();
    pool.run(move |conn| {
        conn.write_transaction(|conn| -> Result<_, ApiError> {
            let (found, _) =
                selection::find_for(conn, me.user_id, id)?.ok_or(ApiError::NotFound)?;
            let sunday = Sunday::from_date(found.sunday).ok_or(ApiError::NotFound)?;
            ensure_picks_open(&game, sunday)?;
            selection::delete_for(conn, me.user_id, id)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn ensure_picks_open(game: &Game, sunday: Sunday) -> Result<(), ApiError> {
    if game.calendar.picks_open(sunday, game.clock.now()) {
        return Ok(());
    }
    let closed_at = game.calendar.picks_close_at(sunday);
    Err(ApiError::conflict(
        format!(
            "Picks for the week of {sunday} closed at {} (market open).",
            closed_at.to_rfc3339()
        ),
        "week_closed",
    ))
}

fn invalid_option(id: i64) -> ApiError {
    ApiError::field(
        "option",
        format!("Invalid pk \"{id}\" - object does not exist (invalid option)."),
    )
}

/// The `option` field: an id, as a JSON number or a numeric string (form-style clients).
fn option_id(value: &Value) -> Result<i64, String> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return Err("Incorrect type. Expected pk value.".into()),
    };
    text.parse::<i64>()
        .map_err(|_| format!("Invalid pk \"{text}\" - object does not exist (invalid option)."))
}
