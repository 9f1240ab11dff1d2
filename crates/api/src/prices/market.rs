//! Market data as the rest of the api sees it: quotes through one cache that merges concurrent
//! lookups of a symbol and remembers unknown symbols, paid for from the budget on the caller's
//! lane. The quotes are Finnhub's with `FINNHUB_TOKEN`; without it, the history provider's
//! latest daily close (`source: close`), which needs no key. Company profiles are Finnhub's
//! alone.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::{BoxFuture, FutureExt};

use super::budget::{Budget, Lane};
use super::cache::FlightCache;
use super::closes::DailyCloses;
use super::finnhub::{FinnhubApi, FinnhubSettings};
use super::{PriceError, PriceSource, Profile, Quote, QuoteSource};
use crate::clock::SharedClock;
use crate::domain::Ticker;
use crate::telemetry::metrics::MarketMetrics;

/// How long a game step waits for the budget before it gives up on a price: a minute frees
/// every call of the window.
const GAME_PATIENCE: Duration = Duration::from_secs(70);

/// How long a company profile is kept (a name and a market cap change slowly).
const PROFILE_CACHE: Duration = Duration::from_secs(24 * 60 * 60);

/// One upstream lookup of a symbol on a lane.
type Fetch<V> = fn(Arc<Upstream>, String, Lane) -> BoxFuture<'static, Result<V, PriceError>>;

/// Where quotes come from.
enum Upstream {
    Finnhub(FinnhubApi),
    /// The latest stored (or fetched) daily closes, as of the clock's now.
    Closes {
        closes: DailyCloses,
        clock: SharedClock,
    },
}

impl Upstream {
    async fn quote(&self, symbol: &str, lane: Lane) -> Result<Quote, PriceError> {
        match self {
            Self::Finnhub(api) => api.quote(symbol, lane).await,
            Self::Closes { closes, clock } => {
                let ticker = Ticker::parse(symbol).map_err(PriceError::Unavailable)?;
                let latest = closes.latest(&ticker, clock.now()).await?;
                close_quote(symbol, &latest)
            }
        }
    }

    async fn profile(&self, symbol: &str, lane: Lane) -> Result<Profile, PriceError> {
        match self {
            Self::Finnhub(api) => api.profile(symbol, lane).await,
            Self::Closes { .. } => Err(PriceError::Unavailable(
                "company profiles need FINNHUB_TOKEN".into(),
            )),
        }
    }
}

/// A quote made of the latest close and the one before it (newest first).
fn close_quote(
    symbol: &str,
    latest: &[(chrono::NaiveDate, rust_decimal::Decimal)],
) -> Result<Quote, PriceError> {
    let Some(&(day, price)) = latest.first() else {
        return Err(PriceError::UnknownSymbol(symbol.to_owned()));
    };
    let previous = latest.get(1).map(|&(_, close)| close);
    let change = previous.map(|previous| price - previous);
    Ok(Quote {
        symbol: symbol.to_owned(),
        price,
        change,
        percent_change: previous
            .zip(change)
            .filter(|(previous, _)| !previous.is_zero())
            .and_then(|(previous, change)| {
                change
                    .checked_mul(rust_decimal::Decimal::ONE_HUNDRED)?
                    .checked_div(previous)
            })
            .map(|percent| percent.round_dp(4)),
        previous_close: previous,
        time: None,
        source: QuoteSource::Close,
        as_of: Some(day),
    })
}

/// How long quotes are kept.
#[derive(Debug, Clone, Copy)]
pub struct QuoteCaching {
    pub quote: Duration,
    pub unknown: Duration,
}

/// Cheap to clone; every clone shares the caches and the budget.
#[derive(Clone)]
pub struct MarketData {
    upstream: Arc<Upstream>,
    budget: Budget,
    quotes: Arc<FlightCache<Quote>>,
    profiles: Arc<FlightCache<Profile>>,
}

impl MarketData {
    /// Finnhub's quotes and profiles (`FINNHUB_TOKEN`).
    pub fn new(
        settings: FinnhubSettings,
        budget: Budget,
        metrics: &MarketMetrics,
    ) -> Result<Self, String> {
        let caching = QuoteCaching {
            quote: settings.quote_cache,
            unknown: settings.unknown_cache,
        };
        let api = FinnhubApi::new(settings, budget.clone(), metrics.finnhub.clone())?;
        Ok(Self::with(Upstream::Finnhub(api), budget, caching, metrics))
    }

    /// Quotes from the latest daily closes, without a key.
    pub fn from_closes(
        closes: DailyCloses,
        clock: SharedClock,
        budget: Budget,
        caching: QuoteCaching,
        metrics: &MarketMetrics,
    ) -> Self {
        Self::with(Upstream::Closes { closes, clock }, budget, caching, metrics)
    }

    /// Whether an unknown symbol is worth refusing: Finnhub knows every listing, while the
    /// history provider lacks some markets.
    pub fn knows_every_listing(&self) -> bool {
        matches!(*self.upstream, Upstream::Finnhub(_))
    }

    fn with(
        upstream: Upstream,
        budget: Budget,
        caching: QuoteCaching,
        metrics: &MarketMetrics,
    ) -> Self {
        let QuoteCaching {
            quote: quote_cache,
            unknown: unknown_cache,
        } = caching;
        Self {
            upstream: Arc::new(upstream),
            budget,
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
        }
    }

    /// Quotes for `user`, one outcome per symbol in order (see [`MarketData::lookups`]).
    pub async fn quotes_for(
        &self,
        user: i64,
        symbols: &[Ticker],
    ) -> Vec<Result<Quote, PriceError>> {
        self.lookups(user, &self.quotes, symbols, |upstream, symbol, lane| {
            async move { upstream.quote(&symbol, lane).await }.boxed()
        })
        .await
    }

    /// Company profiles for `user`, one outcome per symbol in order.
    pub async fn profiles_for(
        &self,
        user: i64,
        symbols: &[Ticker],
    ) -> Vec<Result<Profile, PriceError>> {
        if !self.knows_every_listing() {
            // Nothing to pay for: there is no profile source.
            return symbols
                .iter()
                .map(|_| Err(PriceError::Unavailable("no profile source".into())))
                .collect();
        }
        self.lookups(user, &self.profiles, symbols, |upstream, symbol, lane| {
            async move { upstream.profile(&symbol, lane).await }.boxed()
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
                Arc::clone(&self.upstream),
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
        &self.budget
    }

    async fn quote_on(&self, symbol: &str, lane: Lane) -> Result<Quote, PriceError> {
        let upstream = Arc::clone(&self.upstream);
        let owned = symbol.to_owned();
        self.quotes
            .get(symbol, async move { upstream.quote(&owned, lane).await })
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
