use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::auth::Identity;
use crate::domain::Ticker;
use crate::error::ApiError;
use crate::game::Game;
use crate::input::params;
use crate::prices::{PriceError, PriceSource};
use crate::views::wallstreet::QuoteView;

const MAX_SYMBOLS: usize = 20;

#[derive(Serialize)]
struct Quotes {
    quotes: BTreeMap<String, QuoteView>,
    unknown: Vec<String>,
}

/// `GET /api/quotes/?symbols=SPY,VTI` (authenticated): latest prices through the server, so the
/// market-data key never reaches the browser.
pub async fn list(
    game: web::Data<Game>,
    _me: Identity,
    query: web::Query<params::Query>,
) -> Result<HttpResponse, ApiError> {
    let source = game.prices.clone().ok_or_else(|| {
        ApiError::NotConfigured(
            "Quotes are not available: the server has no FINNHUB_TOKEN configured.".into(),
        )
    })?;
    let symbols = params::symbols(&query, MAX_SYMBOLS)?;
    let fetched =
        futures_util::future::join_all(symbols.iter().map(|symbol| source.quote(symbol.as_str())))
            .await;
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
            Err(PriceError::Unavailable(cause)) => failure = Some(cause),
        }
    }
    match failure {
        Some(cause) if body.quotes.is_empty() => Err(ApiError::bad_gateway(cause)),
        _ => Ok(HttpResponse::Ok().json(body)),
    }
}
