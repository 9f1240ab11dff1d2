use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::{Duration, Months, NaiveDate};

use crate::db::DbPool;
use crate::domain::{CurrencyCode, Ticker};
use crate::error::ApiError;
use crate::fx::convert;
use crate::input::params;
use crate::input::Identity;
use crate::ledger::lots::Book;
use crate::ledger::Trade;
use crate::models::{transaction, user};
use crate::portfolio::in_currency::InCurrency;
use crate::portfolio::{history, valuation, Portfolio};
use crate::prices::budget::Lane;
use crate::prices::{CloseRange, Closes, Quote};
use crate::views::portfolio::{HistoryView, SummaryView};

/// The history ranges, with how many months back each starts (`max`: the first buy).
const RANGES: [(&str, Option<u32>); 6] = [
    ("1m", Some(1)),
    ("3m", Some(3)),
    ("6m", Some(6)),
    ("1y", Some(12)),
    ("5y", Some(60)),
    ("max", None),
];
const DEFAULT_RANGE: &str = "1y";
const DEFAULT_BENCHMARK: &str = "SPY";
/// How far before a day its latest close is looked for (weekends, holidays, data gaps).
const LOOKBACK: Duration = Duration::days(10);

/// The owner's ledger (every account's, or one's) in the ledger's order.
pub(crate) async fn ledger(
    pool: &DbPool,
    owner: i64,
    account: Option<i64>,
) -> Result<Vec<Trade>, ApiError> {
    pool.run(move |conn| {
        transaction::trades_for(conn, owner, account)
            .map_err(|err| ApiError::from(transaction::WriteError::from(err)))
    })
    .await
}

/// A report in `code` (see [`report_code`]), with the rates from `first` to today among every
/// currency `trades` and the tickers `also` touch.
pub(crate) async fn in_currency(
    portfolio: &Portfolio,
    code: CurrencyCode,
    trades: &[Trade],
    also: &[&str],
    first: NaiveDate,
) -> Result<InCurrency, ApiError> {
    let today = portfolio.clock.now().date_naive();
    let currencies = convert::currencies(trades, also.iter().copied(), code.as_str());
    let rates = portfolio
        .rates
        .load(&currencies, first.min(today), today, today)
        .await?;
    Ok(InCurrency {
        code: code.into_inner(),
        rates,
        today,
    })
}

/// The first day of `closes`, or `first` if that is earlier: where a conversion of them starts
/// (the closes reach back before the first transaction, for the last close before a day).
pub(crate) fn earliest(closes: &Closes, first: NaiveDate) -> NaiveDate {
    closes
        .values()
        .filter_map(|by_day| by_day.keys().next())
        .min()
        .map_or(first, |day| first.min(*day))
}

/// The currency a report is in: `?currency=`, else the caller's base currency.
pub(crate) async fn report_code(
    pool: &DbPool,
    user: i64,
    query: &params::Query,
) -> Result<CurrencyCode, ApiError> {
    Ok(match query.get("currency").map(|raw| raw.trim()) {
        Some(raw) if !raw.is_empty() => {
            CurrencyCode::parse(raw).map_err(|err| ApiError::field("currency", err))?
        }
        _ => {
            let base = pool
                .query(move |conn| user::find(conn, user))
                .await?
                .ok_or(ApiError::TokenNotValid)?
                .base_currency;
            CurrencyCode::parse(&base).unwrap_or_else(|_| CurrencyCode::usd())
        }
    })
}

/// The latest quote of each of `tickers` that has one now (none for a symbol no source knows,
/// or once the caller's allowance is spent), by ticker.
pub(crate) async fn latest_quotes<'a>(
    portfolio: &Portfolio,
    user: i64,
    tickers: impl Iterator<Item = &'a str>,
) -> HashMap<String, Quote> {
    let mut quotes = HashMap::new();
    let market = &portfolio.market;
    let mut wanted: Vec<Ticker> = Vec::new();
    for ticker in tickers.filter_map(|raw| Ticker::parse(raw).ok()) {
        if !wanted.contains(&ticker) {
            wanted.push(ticker);
        }
    }
    let fetched = market.quotes_for(user, &wanted).await;
    for (ticker, quote) in wanted.into_iter().zip(fetched) {
        if let Ok(quote) = quote {
            quotes.insert(ticker.into_inner(), quote);
        }
    }
    quotes
}

/// `GET /api/portfolio/summary/`: every holding at its latest price, the totals and the
/// allocation by ticker. A holding whose price cannot be had now (unknown to Finnhub, no
/// market data, or the caller's allowance spent) is listed without market figures.
#[utoipa::path(
    get,
    path = "/api/portfolio/summary",
    operation_id = "portfolio_summary",
    tag = "portfolio",
    security(("bearer" = [])),
    params(("currency" = Option<String>, Query, pattern = "^[A-Za-z]{3}$", description = "An ISO 4217 code to report in; the caller's `base_currency` when left out.")),
    responses(
        (status = 200, description = "Every holding at its latest price, the totals and the allocation; market figures are null where no price is known.", body = SummaryView),
        (status = 400, description = "A figure too large to compute (`out_of_range`), or an unknown `currency`.", body = crate::openapi::schemas::Invalid),
        (status = 409, description = "An exchange rate the figures need is not known (`fx_rate_missing`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn summary(
    pool: web::Data<DbPool>,
    portfolio: web::Data<Portfolio>,
    me: Identity,
    query: web::Query<params::Query>,
) -> Result<HttpResponse, ApiError> {
    let trades = ledger(&pool, me.user_id, None).await?;
    let first = trades
        .first()
        .map_or(portfolio.clock.now().date_naive(), |t| t.date);
    let code = report_code(&pool, me.user_id, &query).await?;
    let report = in_currency(&portfolio, code, &trades, &[], first).await?;
    let lots = valuation::open_lots(&Book::replay(&report.trades(&trades)?)?);
    let quotes = latest_quotes(
        &portfolio,
        me.user_id,
        lots.iter().map(|lot| lot.ticker.as_str()),
    )
    .await;
    let valuation = valuation::value(lots, &report.quotes(&quotes)?)?;
    Ok(HttpResponse::Ok().json(SummaryView::new(report.code, valuation)))
}

/// `GET /api/portfolio/history/?range=1m|3m|6m|1y|5y|max&benchmark=SPY`: one point per
/// trading day, from the range's start (or the first buy, if later) to the last closed day.
/// Closes the store lacks are fetched from the history provider first.
#[utoipa::path(
    get,
    path = "/api/portfolio/history",
    operation_id = "portfolio_history",
    tag = "portfolio",
    security(("bearer" = [])),
    params(
        ("range" = Option<String>, Query, description = "`1m`, `3m`, `6m`, `1y` (the default), `5y` or `max`."),
        ("benchmark" = Option<String>, Query, description = "A ticker to compare with (default `SPY`)."),
        ("currency" = Option<String>, Query, pattern = "^[A-Za-z]{3}$", description = "An ISO 4217 code to report in; the caller's `base_currency` when left out."),
    ),
    responses(
        (status = 200, description = "One point per trading day, in the caller's base currency (or `currency`).", body = HistoryView),
        (status = 409, description = "An exchange rate the figures need is not known (`fx_rate_missing`).", body = shared::wire::ErrorBody),
        (status = 400, description = "A bad range or benchmark, or a figure too large (`out_of_range`).", body = crate::openapi::schemas::Invalid),
        (status = 429, description = "Over a limit (`throttled`); try again after `Retry-After` seconds.", body = shared::wire::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 502, description = "The history source failed (`bad_gateway`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn history(
    pool: web::Data<DbPool>,
    portfolio: web::Data<Portfolio>,
    me: Identity,
    query: web::Query<params::Query>,
) -> Result<HttpResponse, ApiError> {
    let range = query.get("range").map_or(DEFAULT_RANGE, |r| r.trim());
    let months = RANGES
        .iter()
        .find(|(name, _)| *name == range)
        .map(|(_, months)| *months)
        .ok_or_else(|| {
            let names: Vec<&str> = RANGES.iter().map(|(name, _)| *name).collect();
            ApiError::field("range", format!("Choose one of {}.", names.join(", ")))
        })?;
    let benchmark = Ticker::parse(
        query
            .get("benchmark")
            .map_or(DEFAULT_BENCHMARK, String::as_str),
    )
    .map_err(|err| ApiError::field("benchmark", err))?;
    let trades = ledger(&pool, me.user_id, None).await?;
    let now = portfolio.clock.now();
    let end = portfolio.calendar.last_closed_day(now);
    let code = report_code(&pool, me.user_id, &query).await?;
    let currency = code.as_str().to_owned();
    let points = match trades.first().map(|trade| trade.date) {
        Some(first_buy) => {
            let start = months
                .and_then(|months| end.checked_sub_months(Months::new(months)))
                .unwrap_or(first_buy)
                .max(first_buy);
            let ranges = wanted(&trades, benchmark.as_str(), start, first_buy, end);
            let closes = portfolio
                .closes
                .load(Lane::User(me.user_id), ranges, now)
                .await?;
            let days: Vec<NaiveDate> = portfolio
                .calendar
                .trading_days_between(start, end)
                .collect();
            let report = in_currency(
                &portfolio,
                code,
                &trades,
                &[benchmark.as_str()],
                earliest(&closes, first_buy),
            )
            .await?;
            history::points(
                &report.trades(&trades)?,
                &days,
                &report.closes(&closes)?,
                benchmark.as_str(),
            )?
        }
        None => Vec::new(),
    };
    Ok(HttpResponse::Ok().json(HistoryView {
        currency,
        range: range.to_owned(),
        benchmark: benchmark.into_inner(),
        points: points.into_iter().map(Into::into).collect(),
    }))
}

/// The closes history needs: each ticker's from the range's start (or its first transaction)
/// and the benchmark's from the first transaction, each with a lookback for the latest close
/// before a day.
pub(crate) fn wanted(
    trades: &[Trade],
    benchmark: &str,
    start: NaiveDate,
    first_buy: NaiveDate,
    end: NaiveDate,
) -> Vec<CloseRange> {
    let mut firsts: HashMap<&str, NaiveDate> = HashMap::new();
    for trade in trades {
        let first = firsts.entry(&trade.ticker).or_insert(trade.date);
        *first = (*first).min(trade.date);
    }
    let mut ranges: Vec<CloseRange> = firsts
        .into_iter()
        .map(|(ticker, first)| CloseRange {
            symbol: ticker.to_owned(),
            first: first.max(start) - LOOKBACK,
            last: end,
        })
        .filter(|range| range.symbol != benchmark)
        .collect();
    ranges.push(CloseRange {
        symbol: benchmark.to_owned(),
        first: first_buy - LOOKBACK,
        last: end,
    });
    ranges
}
