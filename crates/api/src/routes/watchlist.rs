use actix_web::{web, HttpResponse};

use crate::db::DbPool;
use crate::domain::Ticker;
use crate::error::ApiError;
use crate::input::fields::text;
use crate::input::Identity;
use crate::input::JsonObject;
use crate::models::watchlist::{self, AddError};
use crate::portfolio::Portfolio;
use crate::prices::PriceError;
use crate::views::watchlist::WatchEntryView;

/// `GET /api/watchlist/`: the caller's tickers with their latest price, day change and market
/// cap (null where unknown, or when the caller's allowance of lookups is spent for now).
#[utoipa::path(
    get,
    path = "/api/watchlist",
    operation_id = "watchlist_list",
    tag = "portfolio",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's tickers; figures are null where unknown.", body = [WatchEntryView]))
)]
pub async fn list(
    pool: web::Data<DbPool>,
    portfolio: web::Data<Portfolio>,
    me: Identity,
) -> Result<HttpResponse, ApiError> {
    let now = portfolio.clock.now().naive_utc();
    let tickers = pool
        .query(move |conn| {
            conn.write_transaction(|conn| {
                watchlist::ensure_started(conn, me.user_id, now)?;
                watchlist::tickers_of(conn, me.user_id)
            })
        })
        .await?;
    let tickers: Vec<Ticker> = tickers
        .iter()
        .filter_map(|ticker| Ticker::parse(ticker).ok())
        .collect();
    Ok(HttpResponse::Ok().json(entries(&portfolio, me.user_id, tickers).await))
}

/// `POST /api/watchlist/` `{ticker}`: adds a ticker Finnhub knows (201 with its entry); a
/// duplicate, an unknown ticker or a full list is a 400.
#[utoipa::path(
    post,
    path = "/api/watchlist",
    operation_id = "watchlist_add",
    tag = "portfolio",
    security(("bearer" = [])),
    request_body = crate::openapi::schemas::WatchInput,
    responses(
        (status = 201, description = "Added.", body = WatchEntryView),
        (status = 400, description = "A bad, unknown or duplicate ticker, or a full list (`watchlist_full`).", body = crate::openapi::schemas::Invalid),
        (status = 429, description = "Over a limit (`throttled`); try again after `Retry-After` seconds.", body = shared::wire::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 502, description = "The market-data source failed (`bad_gateway`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn add(
    pool: web::Data<DbPool>,
    portfolio: web::Data<Portfolio>,
    me: Identity,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let ticker = body.required("ticker", text(Ticker::parse))?;
    let market = &portfolio.market;
    if market.knows_every_listing() {
        let known = market
            .quotes_for(me.user_id, std::slice::from_ref(&ticker))
            .await;
        match known.into_iter().next() {
            Some(Err(PriceError::UnknownSymbol(_))) => {
                return Err(ApiError::field(
                    "ticker",
                    format!("Finnhub does not know the ticker {}.", ticker.as_str()),
                ))
            }
            Some(Err(err)) => return Err(err.into()),
            _ => {}
        }
    }
    let (now, max) = (
        portfolio.clock.now().naive_utc(),
        i64::from(portfolio.watchlist_max),
    );
    let added = ticker.clone();
    pool.run(move |conn| {
        conn.write_transaction(|conn| {
            watchlist::ensure_started(conn, me.user_id, now)?;
            watchlist::add(conn, me.user_id, &added, max, now)
        })
    })
    .await
    .map_err(|err| match err {
        AddError::Duplicate => ApiError::field(
            "ticker",
            format!("{} is already on your watch list.", ticker.as_str()),
        ),
        AddError::Full => ApiError::bad_request(
            format!("A watch list holds at most {max} tickers; remove one first."),
            "watchlist_full",
        ),
        AddError::Database(err) => err.into(),
    })?;
    let entry = entries(&portfolio, me.user_id, vec![ticker]).await;
    Ok(HttpResponse::Created().json(&entry[0]))
}

/// `DELETE /api/watchlist/{ticker}/`: 204, or 404 when it is not on the caller's list.
#[utoipa::path(
    delete,
    path = "/api/watchlist/{ticker}",
    operation_id = "watchlist_remove",
    tag = "portfolio",
    security(("bearer" = [])),
    params(("ticker" = String, Path, description = "A ticker on the caller's list.")),
    responses((status = 204, description = "Removed."))
)]
pub async fn remove(
    pool: web::Data<DbPool>,
    me: Identity,
    ticker: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ticker = Ticker::parse(&ticker).map_err(|_| ApiError::NotFound)?;
    let removed = pool
        .query(move |conn| watchlist::remove(conn, me.user_id, &ticker))
        .await?;
    if removed {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound)
    }
}

/// The entries of `tickers`, with what market data can say about each right now.
async fn entries(portfolio: &Portfolio, user: i64, tickers: Vec<Ticker>) -> Vec<WatchEntryView> {
    let market = &portfolio.market;
    let (quotes, profiles) = futures_util::future::join(
        market.quotes_for(user, &tickers),
        market.profiles_for(user, &tickers),
    )
    .await;
    tickers
        .into_iter()
        .zip(quotes.into_iter().zip(profiles))
        .map(|(ticker, (quote, profile))| WatchEntryView::new(ticker, quote.ok(), profile.ok()))
        .collect()
}
