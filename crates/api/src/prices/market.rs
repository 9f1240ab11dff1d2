//! Market data as the rest of the api sees it: quotes from Finnhub through one cache that
//! merges concurrent lookups of a symbol and remembers unknown symbols, paid for from the
//! budget on the caller's lane.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::{BoxFuture, FutureExt};

use super::budget::{Budget, Lane};
use super::cache::FlightCache;
use super::finnhub::{FinnhubApi, FinnhubSettings};
use super::{PriceError, PriceSource, Profile, Quote};
use crate::domain::Ticker;
use crate::telemetry::metrics::MarketMetrics;

/// How long a game step waits for the budget before it gives up on a price: a minute frees
/// every call of the window.
const GAME_PATIENCE: Duration = Duration::from_secs(70);

/// How long a company profile is kept (a name and a market cap change slowly).
const PROFILE_CACHE: Duration = Duration::from_secs(24 * 60 * 60);

/// One upstream lookup of a symbol on a lane.
type Fetch<V> = fn(Arc<FinnhubApi>, String, Lane) -> BoxFuture<'static, Result<V, PriceError>>;

/// Cheap to clone; every clone shares the caches and the budget.
#[derive(Clone)]
pub struct MarketData {
    api: Arc<FinnhubApi>,
    quotes: Arc<FlightCache<Quote>>,
    profiles: Arc<FlightCache<Profile>>,
}

impl MarketData {
    pub fn new(
        settings: FinnhubSettings,
        budget: Budget,
        metrics: &MarketMetrics,
    ) -> Result<Self, String> {
        let (quote_cache, unknown_cache) = (settings.quote_cache, settings.unknown_cache);
        Ok(Self {
            api: Arc::new(FinnhubApi::new(settings, budget, metrics.finnhub.clone())?),
            quotes: FlightCache::new(
                Box::new(move |outcome| match outcome {
                    Ok(_) => Some(quote_cache),
                    Err(PriceError::UnknownSymbol(_)) => Some(unknown_cache),
                    Err(_) => None,
                }),
                metrics.cache("quotes"),
            ),
            profiles: FlightCache::new(
                Box::new(|outcome| match outcome {
                    Ok(_) | Err(PriceError::UnknownSymbol(_)) => Some(PROFILE_CACHE),
                    Err(_) => None,
                }),
                metrics.cache("profiles"),
            ),
        })
    }

    /// Quotes for `user`, one outcome per symbol in order (see [`MarketData::lookups`]).
    pub async fn quotes_for(
        &self,
        user: i64,
        symbols: &[Ticker],
    ) -> Vec<Result<Quote, PriceError>> {
        self.lookups(user, &self.quotes, symbols, |api, symbol, lane| {
            async move { api.quote(&symbol, lane).await }.boxed()
        })
        .await
    }

    /// Company profiles for `user`, one outcome per symbol in order.
    pub async fn profiles_for(
        &self,
        user: i64,
        symbols: &[Ticker],
    ) -> Vec<Result<Profile, PriceError>> {
        self.lookups(user, &self.profiles, symbols, |api, symbol, lane| {
            async move { api.profile(&symbol, lane).await }.boxed()
        })
        .await
    }

    /// One outcome per symbol, in order. Kept outcomes are free; of the others, as many are
    /// fetched as the user's allowance covers, and the rest are `Throttled`.
    async fn lookups<V: Clone + Send + Sync + 'static>(
        &self,
        user: i64,
        cache: &Arc<FlightCache<V>>,
        symbols: &[Ticker],
        fetch: Fetch<V>,
    ) -> Vec<Result<V, PriceError>> {
        let missing: Vec<usize> = (0..symbols.len())
            .filter(|&i| cache.kept(symbols[i].as_str()).is_none())
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
            let upstream = fetch(
                Arc::clone(&self.api),
                symbol.as_str().to_owned(),
                Lane::User(user),
            );
            async move {
                match refused {
                    Some(err) => Err(err),
                    None => cache.get(symbol.as_str(), upstream).await,
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
