use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Ticker;
use crate::error::ApiError;
use crate::input::params;
use crate::input::Identity;
use crate::portfolio::Portfolio;
use crate::prices::PriceError;
use crate::views::wallstreet::QuoteView;

const MAX_SYMBOLS: usize = 20;

/// The quotes found, by symbol, and the symbols the source does not know.
#[derive(Serialize, ToSchema)]
pub struct Quotes {
    quotes: BTreeMap<String, QuoteView>,
    unknown: Vec<String>,
}

/// `GET /api/quotes/?symbols=SPY,VTI` (authenticated): latest prices through the server, so the
/// market-data key never reaches the browser; without `FINNHUB_TOKEN`, the latest daily closes
/// (`source: close`, `as_of` their day). When the caller's or the server's budget cannot
/// cover every symbol the answer is a 429; the symbols it did cover are cached by then, so the
/// retry costs only the rest.
#[utoipa::path(
    get,
    path = "/api/quotes",
    operation_id = "quotes",
    tag = "market",
    security(("bearer" = [])),
    params(("symbols" = String, Query, description = "1 to 20 tickers, comma-separated: `SPY,VTI`.")),
    responses(
        (status = 200, description = "The latest prices; symbols the source does not know are listed in `unknown`.", body = Quotes),
        (status = 400, description = "No symbols, a bad one, or more than 20.", body = crate::openapi::schemas::Invalid),
        (status = 429, description = "Over a limit (`throttled`); try again after `Retry-After` seconds.", body = shared::wire::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 502, description = "The market-data source failed (`bad_gateway`).", body = shared::wire::ErrorBody),
        (status = 503, description = "The database cannot be reached.", body = shared::wire::ErrorBody),
    )
)]
pub async fn list(
    portfolio: web::Data<Portfolio>,
    me: Identity,
    query: web::Query<params::Query>,
) -> Result<HttpResponse, ApiError> {
    let market = &portfolio.market;
    let symbols = params::symbols(&query, MAX_SYMBOLS)?;
    let fetched = market.quotes_for(me.user_id, &symbols).await;
    let mut body = Quotes {
        quotes: BTreeMap::new(),
        unknown: Vec::new(),
    };
    let mut failure = None;
    for (symbol, result) in symbols.into_iter().map(Ticker::into_inner).zip(fetched) {
        match result {
            Ok(quote) => {
                body.quotes.insert(symbol, QuoteView::from(quote));
            }
            Err(PriceError::UnknownSymbol(_)) => body.unknown.push(symbol),
            Err(throttled @ PriceError::Throttled { .. }) => return Err(throttled.into()),
            Err(other) => failure = Some(other),
        }
    }
    match failure {
        Some(err) if body.quotes.is_empty() => Err(err.into()),
        _ => Ok(HttpResponse::Ok().json(body)),
    }
}
