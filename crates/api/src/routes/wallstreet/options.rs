use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::requested_week;
use crate::auth::Identity;
use crate::db::sql_types::DbDecimal;
use crate::db::DbPool;
use crate::domain::{Price, Sunday, Ticker};
use crate::error::ApiError;
use crate::game::Game;
use crate::models::week::{self, NewOption};
use crate::payload::{decimal_text, string, Fields, JsonObject};
use crate::views::wallstreet::OptionView;

/// `GET /api/wallstreet/options/?sunday=D`: a week's tickers (public). A date that is not a
/// Sunday names no week, so it simply has none.
pub async fn list(
    pool: web::Data<DbPool>,
    game: web::Data<Game>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let sunday = requested_week(&query, &game)?;
    let rows = pool
        .query(move |conn| week::options_of(conn, sunday))
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(OptionView::from).collect::<Vec<_>>()))
}

/// `POST /api/wallstreet/options/`: `{ticker, sunday, start_price?}` (staff only).
pub async fn create(
    pool: web::Data<DbPool>,
    me: Identity,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::new(body);
    let ticker = fields.required("ticker", |v| Ticker::parse(&string(v)?));
    let sunday = fields.required("sunday", |v| Sunday::parse(&string(v)?));
    let start_price = fields.optional("start_price", |v| Price::parse(&decimal_text(v)?));
    me.require_staff()?;
    let row = pool
        .run(move |conn| {
            let (ticker, sunday, start_price) =
                fields.finish(|| Some((ticker?, sunday?, start_price)))?;
            let new = NewOption {
                sunday: sunday.date(),
                ticker: ticker.into_inner(),
                start_price: start_price.map(|p| DbDecimal(p.value())),
            };
            conn.write_transaction(|conn| {
                week::ensure(conn, new.sunday)?;
                week::insert_option(conn, &new).map_err(|err| match err {
                    DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                        ApiError::field(
                            "ticker",
                            format!(
                                "{} is already an option for the week of {sunday}.",
                                new.ticker
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
