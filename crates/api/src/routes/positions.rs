//! `/api/portfolio/positions/` and `/api/portfolio/realized/`: the ledger's lots, aggregated
//! per ticker at the latest prices, and the lots sales closed, with their gains.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::Datelike;
use rust_decimal::Decimal;

use crate::db::DbPool;
use crate::domain::money::cents;
use crate::error::ApiError;
use crate::fx::convert::trades_in_listing;
use crate::input::params;
use crate::input::Identity;
use crate::ledger::lots::Book;
use crate::ledger::positions::positions as positions_of;
use crate::portfolio::in_currency::Effects;
use crate::portfolio::Portfolio;
use crate::prices::Quote;
use crate::routes::portfolio::{in_currency, latest_quotes, ledger, report_code};
use crate::routes::transactions::account_param;
use crate::views::ledger::{
    OwnCurrencyView, PositionTotalsView, PositionView, PositionsView, RealizedView,
};

/// `GET /api/portfolio/positions/[?account=&currency=]`: one position per ticker (over every
/// account, or one), with its quantity, cost, average cost, latest price, market value,
/// unrealized and realized gain and dividends, in the caller's base currency (or `currency`).
/// A sold-out ticker stays listed with quantity `"0"`. A position listed in another currency
/// also has its own-currency figures, and its unrealized gain split into price and currency
/// effects.
#[utoipa::path(
    get,
    path = "/api/portfolio/positions",
    operation_id = "portfolio_positions",
    tag = "ledger",
    security(("bearer" = [])),
    params(
        ("account" = Option<i64>, Query, description = "One of the caller's accounts (another is a 404); all of them when left out."),
        ("currency" = Option<String>, Query, pattern = "^[A-Za-z]{3}$", description = "An ISO 4217 code to report in; the caller's `base_currency` when left out."),
    ),
    responses(
        (status = 200, description = "The positions, by ticker; market figures are null where no price is known.", body = PositionsView),
        (status = 400, description = "An unknown `currency`.", body = crate::openapi::schemas::Invalid),
        (status = 404, description = "`account` is not one of the caller's (`not_found`).", body = shared::wire::ErrorBody),
        (status = 409, description = "An exchange rate the figures need is not known (`fx_rate_missing`).", body = shared::wire::ErrorBody),
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
    let first = trades
        .first()
        .map_or(portfolio.clock.now().date_naive(), |t| t.date);
    let code = report_code(&pool, me.user_id, &query).await?;
    let report = in_currency(&portfolio, code, &trades, &[], first).await?;
    let book = Book::replay(&report.trades(&trades)?)?;
    let held = book
        .open
        .iter()
        .filter(|(_, lots)| !lots.is_empty())
        .map(|((_, ticker), _)| ticker.as_str());
    let quotes = latest_quotes(&portfolio, me.user_id, held).await;
    let prices = price_map(&report.quotes(&quotes)?);
    let (list, totals) = positions_of(&book, &prices)?;
    // The foreign positions in their own currency, for their own figures and the split.
    let own = if list
        .iter()
        .any(|position| report.is_foreign(&position.ticker))
    {
        let local = Book::replay(&trades_in_listing(&trades, &report.rates)?)?;
        positions_of(&local, &price_map(&quotes))?
            .0
            .into_iter()
            .map(|position| (position.ticker.clone(), position))
            .collect()
    } else {
        HashMap::new()
    };
    let mut currency_effect = Decimal::ZERO;
    let mut views = Vec::with_capacity(list.len());
    for position in list {
        let quote = quotes.get(&position.ticker);
        let foreign = own
            .get(&position.ticker)
            .filter(|_| report.is_foreign(&position.ticker));
        let rate = match (foreign, quote) {
            (Some(_), Some(quote)) => Some(report.valuation_rate(&position.ticker, quote)?),
            _ => None,
        };
        let effects = match (foreign, rate, position.unrealized_gain) {
            (Some(local), Some(rate), Some(gain)) => Some(Effects::split(
                gain,
                local.unrealized_gain.unwrap_or_default(),
                rate,
            )?),
            _ => None,
        };
        if let Some(effects) = effects {
            currency_effect += effects.currency;
        }
        views.push(PositionView {
            price_source: quote.map(|quote| quote.source),
            price_as_of: quote.and_then(|quote| quote.as_of),
            own: foreign.map(|local| OwnCurrencyView::new(local, rate)),
            price_effect: effects.map(|effects| cents(effects.price)),
            currency_effect: effects.map(|effects| cents(effects.currency)),
            ..position.into()
        });
    }
    let mut totals = PositionTotalsView::from(totals);
    totals.currency_effect = totals
        .unrealized_gain
        .as_ref()
        .map(|_| cents(currency_effect));
    Ok(HttpResponse::Ok().json(PositionsView {
        currency: report.code,
        positions: views,
        totals,
    }))
}

fn price_map(quotes: &HashMap<String, Quote>) -> HashMap<String, Decimal> {
    quotes
        .iter()
        .map(|(ticker, quote)| (ticker.clone(), quote.price))
        .collect()
}

/// `GET /api/portfolio/realized/[?year=&account=&currency=]`: the lots sales closed (first in,
/// first out), in the order they were sold, each short or long term, with their totals, in the
/// caller's base currency (or `currency`): the cost at the buy's day rate, the proceeds at the
/// sale's. A lot listed in another currency has its gain split into price and currency.
#[utoipa::path(
    get,
    path = "/api/portfolio/realized",
    operation_id = "portfolio_realized",
    tag = "ledger",
    security(("bearer" = [])),
    params(
        ("year" = Option<i32>, Query, description = "Sales in this year only."),
        ("account" = Option<i64>, Query, description = "One of the caller's accounts (another is a 404); all of them when left out."),
        ("currency" = Option<String>, Query, pattern = "^[A-Za-z]{3}$", description = "An ISO 4217 code to report in; the caller's `base_currency` when left out."),
    ),
    responses(
        (status = 200, description = "The realized lots and their totals.", body = RealizedView),
        (status = 400, description = "A bad `year` or an unknown `currency`.", body = crate::openapi::schemas::Invalid),
        (status = 404, description = "`account` is not one of the caller's (`not_found`).", body = shared::wire::ErrorBody),
        (status = 409, description = "An exchange rate the figures need is not known (`fx_rate_missing`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn realized(
    pool: web::Data<DbPool>,
    portfolio: web::Data<Portfolio>,
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
    let first = trades
        .first()
        .map_or(portfolio.clock.now().date_naive(), |t| t.date);
    let code = report_code(&pool, me.user_id, &query).await?;
    let report = in_currency(&portfolio, code, &trades, &[], first).await?;
    let book = Book::replay(&report.trades(&trades)?)?;
    // The same sales in each ticker's own currency match lot for lot (the same quantities,
    // in the same order).
    let local = if book
        .realized
        .iter()
        .any(|lot| report.is_foreign(&lot.ticker))
    {
        Some(Book::replay(&trades_in_listing(&trades, &report.rates)?)?)
    } else {
        None
    };
    let mut lots = Vec::new();
    for (index, lot) in book.realized.iter().enumerate() {
        if year.is_some_and(|year| lot.sold.year() != year) {
            continue;
        }
        let effects = match local.as_ref().and_then(|local| local.realized.get(index)) {
            Some(own) if report.is_foreign(&lot.ticker) => Some(Effects::split(
                lot.gain(),
                own.gain(),
                report.rate_on(&lot.ticker, lot.sold)?,
            )?),
            _ => None,
        };
        lots.push((lot, effects));
    }
    lots.sort_by_key(|(lot, _)| (lot.sold, lot.sell_id, lot.bought));
    Ok(HttpResponse::Ok().json(RealizedView::new(report.code, &lots)))
}
