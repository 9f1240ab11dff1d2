use std::collections::{BTreeMap, HashMap};

use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::auth::Identity;
use crate::domain::Ticker;
use crate::error::ApiError;
use crate::game::Game;
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
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let source = game.prices.clone().ok_or_else(|| {
        ApiError::NotConfigured(
            "Quotes are not available: the server has no FINNHUB_TOKEN configured.".into(),
        )
    })?;
    let raw = query.get("symbols").map(String::as_str).unwrap_or_default();
    let mut symbols: Vec<String> = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let ticker = Ticker::parse(item)
            .map_err(|err| ApiError::field("symbols", format!("{item}: {err}")))?;
        if !symbols.contains(&ticker.as_str().to_owned()) {
            symbols.push(ticker.into_inner());
        }
    }
    if symbols.is_empty() {
        return Err(ApiError::field(
            "symbols",
            "Give at least one symbol, e.g. ?symbols=SPY,VTI.",
        ));
    }
    if symbols.len() > MAX_SYMBOLS {
        return Err(ApiError::field(
            "symbols",
            format!("Ask for at most {MAX_SYMBOLS} symbols at once."),
        ));
    }
    let fetched =
        futures_util::future::join_all(symbols.iter().map(|symbol| source.quote(symbol))).await;
    let mut body = Quotes {
        quotes: BTreeMap::new(),
        unknown: Vec::new(),
    };
    let mut failure = None;
    for (symbol, result) in symbols.into_iter().zip(fetched) {
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
