use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::auth::Identity;
use crate::domain::Ticker;
use crate::error::ApiError;
use crate::game::Game;
use crate::input::params;
use crate::prices::PriceError;
use crate::views::wallstreet::QuoteView;

const MAX_SYMBOLS: usize = 20;

#[derive(Serialize)]
struct Quotes {
    quotes: BTreeMap<String, QuoteView>,
    unknown: Vec<String>,
}

/// `GET /api/quotes/?symbols=SPY,VTI` (authenticated): latest prices through the server, so the
/// market-data key never reaches the browser. When the caller's or the server's budget cannot
/// cover every symbol the answer is a 429; the symbols it did cover are cached by then, so the
/// retry costs only the rest.
pub async fn list(
    game: web::Data<Game>,
    me: Identity,
    query: web::Query<params::Query>,
) -> Result<HttpResponse, ApiError> {
    let market = game.prices.as_ref().ok_or_else(|| {
        ApiError::NotConfigured(
            "Quotes are not available: the server has no FINNHUB_TOKEN configured.".into(),
        )
    })?;
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
