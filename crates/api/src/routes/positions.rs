//! `/api/portfolio/positions/` and `/api/portfolio/realized/`: the ledger's lots, aggregated
//! per ticker at the latest prices, and the lots sales closed, with their gains.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::Datelike;

use crate::db::DbPool;
use crate::error::ApiError;
use crate::input::params;
use crate::input::Identity;
use crate::ledger::lots::Book;
use crate::ledger::positions::positions as positions_of;
use crate::portfolio::Portfolio;
use crate::routes::portfolio::{latest_quotes, ledger};
use crate::routes::transactions::account_param;
use crate::views::ledger::{PositionView, PositionsView, RealizedView};

/// `GET /api/portfolio/positions/[?account=]`: one position per ticker (over every account, or
/// one), with its quantity, cost, average cost, latest price, market value, unrealized and
/// realized gain and dividends. A sold-out ticker stays listed with quantity `"0"`.
#[utoipa::path(
    get,
    path = "/api/portfolio/positions",
    operation_id = "portfolio_positions",
    tag = "ledger",
    security(("bearer" = [])),
    params(("account" = Option<i64>, Query, description = "One of the caller's accounts (another is a 404); all of them when left out.")),
    responses(
        (status = 200, description = "The positions, by ticker; market figures are null where no price is known.", body = PositionsView),
        (status = 404, description = "`account` is not one of the caller's (`not_found`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn positions(
    pool: web::Data<DbPool>,
    portfolio: web::Data<Portfolio>,
    me: Identity,
    query: web::Query<params::Query>,
) -> Result<HttpResponse, ApiError> {
    let account = account_param(&pool, me.user_id, &query).await?;
    let trades = ledger(&pool, me.user_id, account).await?;
    let book = Book::replay(&trades)?;
    let held = book
        .open
        .iter()
        .filter(|(_, lots)| !lots.is_empty())
        .map(|((_, ticker), _)| ticker.as_str());
    let quotes = latest_quotes(&portfolio, me.user_id, held).await;
    let prices: HashMap<String, _> = quotes
        .iter()
        .map(|(ticker, quote)| (ticker.clone(), quote.price))
        .collect();
    let (list, totals) = positions_of(&book, &prices)?;
    let positions = list
        .into_iter()
        .map(|position| {
            let quote = quotes.get(&position.ticker);
            PositionView {
                price_source: quote.map(|quote| quote.source),
                price_as_of: quote.and_then(|quote| quote.as_of),
                ..position.into()
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(PositionsView {
        positions,
        totals: totals.into(),
    }))
}

/// `GET /api/portfolio/realized/[?year=&account=]`: the lots sales closed (first in, first
/// out), in the order they were sold, each short or long term, with their totals.
#[utoipa::path(
    get,
    path = "/api/portfolio/realized",
    operation_id = "portfolio_realized",
    tag = "ledger",
    security(("bearer" = [])),
    params(
        ("year" = Option<i32>, Query, description = "Sales in this year only."),
        ("account" = Option<i64>, Query, description = "One of the caller's accounts (another is a 404); all of them when left out."),
    ),
    responses(
        (status = 200, description = "The realized lots and their totals.", body = RealizedView),
        (status = 404, description = "`account` is not one of the caller's (`not_found`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn realized(
    pool: web::Data<DbPool>,
    me: Identity,
    query: web::Query<params::Query>,
) -> Result<HttpResponse, ApiError> {
    let year = match query.get("year").map(|raw| raw.trim()) {
        Some(raw) if !raw.is_empty() => Some(
            raw.parse::<i32>()
                .ok()
                .filter(|year| (1..=9999).contains(year))
                .ok_or_else(|| ApiError::field("year", "A valid year is required."))?,
        ),
        _ => None,
    };
    let account = account_param(&pool, me.user_id, &query).await?;
    let trades = ledger(&pool, me.user_id, account).await?;
    let book = Book::replay(&trades)?;
    let mut lots: Vec<_> = book
        .realized
        .iter()
        .filter(|lot| year.is_none_or(|year| lot.sold.year() == year))
        .collect();
    lots.sort_by_key(|lot| (lot.sold, lot.sell_id, lot.bought));
    Ok(HttpResponse::Ok().json(RealizedView::new(&lots)))
}
