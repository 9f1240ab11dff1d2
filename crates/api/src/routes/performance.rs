//! `/api/portfolio/performance/`: start and end value, money in and out, the time- and
//! money-weighted returns and the benchmark's over a range, with a point per day for a chart.
//! The conventions are `ledger::performance`'s (those of DESIGN.md).

use actix_web::{web, HttpResponse};

use crate::db::DbPool;
use crate::domain::buy_date::not_too_early;
use crate::domain::Ticker;
use crate::error::ApiError;
use crate::input::params;
use crate::input::Identity;
use crate::ledger::performance::{measure, Range};
use crate::portfolio::Portfolio;
use crate::prices::budget::Lane;
use crate::routes::portfolio::{earliest, in_currency, ledger, report_code, wanted};
use crate::routes::transactions::account_param;
use crate::views::ledger::PerformanceView;

const DEFAULT_BENCHMARK: &str = "SPY";

/// `GET /api/portfolio/performance/?from=&to=[&benchmark=SPY&account=&currency=]`. `to`
/// defaults to the last closed trading day, `from` to the first transaction. Closes the store
/// lacks are fetched from the history provider first. Values and flows are in the caller's
/// base currency (or `currency`): each flow at its day's rate, each day's value at that day's
/// rate; the benchmark too, so a euro investor compares with SPY in euros.
#[utoipa::path(
    get,
    path = "/api/portfolio/performance",
    operation_id = "portfolio_performance",
    tag = "ledger",
    security(("bearer" = [])),
    params(
        ("from" = Option<String>, Query, description = "The first day (`YYYY-MM-DD`); the first transaction's when left out."),
        ("to" = Option<String>, Query, description = "The last day (`YYYY-MM-DD`), not in the future; the last closed trading day when left out."),
        ("benchmark" = Option<String>, Query, description = "A ticker to compare with (default `SPY`)."),
        ("account" = Option<i64>, Query, description = "One of the caller's accounts (another is a 404); all of them when left out."),
        ("currency" = Option<String>, Query, pattern = "^[A-Za-z]{3}$", description = "An ISO 4217 code to report in; the caller's `base_currency` when left out."),
    ),
    responses(
        (status = 200, description = "The performance over the range.", body = PerformanceView),
        (status = 400, description = "A bad date, range, benchmark or currency.", body = crate::openapi::schemas::Invalid),
        (status = 404, description = "`account` is not one of the caller's (`not_found`).", body = shared::wire::ErrorBody),
        (status = 409, description = "An exchange rate the figures need is not known (`fx_rate_missing`).", body = shared::wire::ErrorBody),
        (status = 429, description = "Over a limit (`throttled`); try again after `Retry-After` seconds.", body = shared::wire::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 502, description = "The history source failed (`bad_gateway`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn performance(
    pool: web::Data<DbPool>,
    portfolio: web::Data<Portfolio>,
    me: Identity,
    query: web::Query<params::Query>,
) -> Result<HttpResponse, ApiError> {
    let benchmark = Ticker::parse(
        query
            .get("benchmark")
            .map_or(DEFAULT_BENCHMARK, String::as_str),
    )
    .map_err(|err| ApiError::field("benchmark", err))?;
    let now = portfolio.clock.now();
    let today = now.date_naive();
    let to = match params::date(&query, "to")? {
        Some(to) if to > today => {
            return Err(ApiError::field("to", "The date cannot be in the future."))
        }
        Some(to) => to,
        None => portfolio.calendar.last_closed_day(now),
    };
    let account = account_param(&pool, me.user_id, &query).await?;
    let trades = ledger(&pool, me.user_id, account).await?;
    let first_trade = trades.first().map(|trade| trade.date);
    let from = match params::date(&query, "from")? {
        Some(from) => {
            not_too_early(from).map_err(|err| ApiError::field("from", err))?;
            from
        }
        None => first_trade.unwrap_or(to).min(to),
    };
    if from > to {
        return Err(ApiError::field("from", "The range starts after it ends."));
    }
    let first = first_trade.map_or(from, |first| first.min(from));
    let ranges = wanted(&trades, benchmark.as_str(), from, first, to);
    let closes = portfolio
        .closes
        .load(Lane::User(me.user_id), ranges, now)
        .await?;
    let code = report_code(&pool, me.user_id, &query).await?;
    let report = in_currency(
        &portfolio,
        code,
        &trades,
        &[benchmark.as_str()],
        earliest(&closes, first),
    )
    .await?;
    let days: Vec<_> = portfolio.calendar.trading_days_between(from, to).collect();
    let measured = measure(
        &report.trades(&trades)?,
        &report.closes(&closes)?,
        &Range {
            from,
            to,
            trading_days: &days,
            benchmark: benchmark.as_str(),
        },
    )?;
    Ok(HttpResponse::Ok().json(PerformanceView::new(
        report.code,
        (from, to),
        benchmark.into_inner(),
        measured,
    )))
}
