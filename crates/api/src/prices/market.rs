//! Market data as the rest of the api sees it: quotes from Finnhub through one cache that
//! merges concurrent lookups of a symbol and remembers unknown symbols, paid for from the
//! budget on the caller's lane.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::budget::{Budget, Lane};
use super::cache::FlightCache;
use super::finnhub::{FinnhubApi, FinnhubSettings};
use super::{PriceError, PriceSource, Quote};
use crate::db::DbPool;
use crate::domain::Ticker;

/// How long a game step waits for the budget before it gives up on a price: a minute frees
/// every call of the window.
const GAME_PATIENCE: Duration = Duration::from_secs(70);

/// Cheap to clone; every clone shares the cache and the budget.
#[derive(Clone)]
pub struct MarketData {
    api: Arc<FinnhubApi>,
    quotes: Arc<FlightCache<Quote>>,
}

impl MarketData {
    pub fn new(settings: FinnhubSettings, pool: DbPool) -> Result<Self, String> {
        let (quote_cache, unknown_cache) = (settings.quote_cache, settings.unknown_cache);
        let budget = Budget::new(pool, settings.budget);
        Ok(Self {
            api: Arc::new(FinnhubApi::new(settings, budget)?),
            quotes: FlightCache::new(Box::new(move |outcome| match outcome {
                Ok(_) => Some(quote_cache),
                Err(PriceError::UnknownSymbol(_)) => Some(unknown_cache),
                Err(_) => None,
            })),
        })
    }

    /// Quotes for `user`, one outcome per symbol in order. Kept quotes are free; of the others,
    /// as many are fetched as the user's allowance covers, and the rest are `Throttled`.
    pub async fn quotes_for(
        &self,
        user: i64,
        symbols: &[Ticker],
    ) -> Vec<Result<Quote, PriceError>> {
        let missing: Vec<usize> = (0..symbols.len())
            .filter(|&i| self.quotes.kept(symbols[i].as_str()).is_none())
            .collect();
        let refusal = match self.budget().take_symbols(user, missing.len()).await {
            Ok((granted, retry_after)) => retry_after.map(|retry_after| {
                (
                    missing[granted.min(missing.len())..].to_vec(),
                    PriceError::Throttled { retry_after },
                )
            }),
            Err(err) => Some((missing, err)),
        };
        let lookups = symbols.iter().enumerate().map(|(i, symbol)| {
            let refused = refusal
                .as_ref()
                .filter(|(refused, _)| refused.contains(&i))
                .map(|(_, err)| err.clone());
            async move {
                match refused {
                    Some(err) => Err(err),
                    None => self.quote_on(symbol.as_str(), Lane::User(user)).await,
                }
            }
        });
        futures_util::future::join_all(lookups).await
    }

    fn budget(&self) -> &Budget {
        self.api.budget()
    }

    async fn quote_on(&self, symbol: &str, lane: Lane) -> Result<Quote, PriceError> {
        let api = Arc::clone(&self.api);
        let owned = symbol.to_owned();
        self.quotes
            .get(symbol, async move { api.quote(&owned, lane).await })
            .await
    }
}

/// The game's prices: first in line for the budget, and willing to wait for it.
impl PriceSource for MarketData {
    async fn quote(&self, symbol: &str) -> Result<Quote, PriceError> {
        let started = Instant::now();
        loop {
            match self.quote_on(symbol, Lane::Game).await {
                Err(PriceError::Throttled { retry_after })
                    if started.elapsed() + retry_after < GAME_PATIENCE =>
                {
                    log::info!("game price {symbol}: budget spent, waiting {retry_after:?}");
                    tokio::time::sleep(retry_after).await;
                }
                outcome => return outcome,
            }
        }
    }
}
