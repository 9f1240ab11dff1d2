//! A cache of lookups by symbol that also merges concurrent lookups: while one fetch of a
//! symbol is in flight, every other caller of that symbol waits for its outcome instead of
//! making its own upstream call. The fetch runs as its own task, so it completes (and fills
//! the cache) even if every caller waiting for it has gone.
//!
//! How long an outcome is kept is the caller's choice (`keep`): quotes for seconds, unknown
//! symbols and company profiles for longer, failures not at all. Expired entries are swept
//! whenever a new fetch starts; since every fetch is an upstream call and those are capped
//! by the budget, the map stays small.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::{BoxFuture, FutureExt, Shared};

use super::PriceError;
use crate::telemetry::metrics::CacheCounters;

type Outcome<V> = Result<V, PriceError>;
type Flight<V> = Shared<BoxFuture<'static, Outcome<V>>>;

enum Slot<V> {
    Kept { until: Instant, outcome: Outcome<V> },
    InFlight(Flight<V>),
}

/// How long an outcome stays; `None` (or zero) keeps it not at all.
pub type Keep<V> = Box<dyn Fn(&Outcome<V>) -> Option<Duration> + Send + Sync>;

pub struct FlightCache<V> {
    slots: Mutex<HashMap<String, Slot<V>>>,
    keep: Keep<V>,
    lookups: CacheCounters,
}

impl<V: Clone + Send + Sync + 'static> FlightCache<V> {
    pub fn new(keep: Keep<V>, lookups: CacheCounters) -> Arc<Self> {
        Arc::new(Self {
            slots: Mutex::new(HashMap::new()),
            keep,
            lookups,
        })
    }

    /// The kept outcome for `key`, if it is still fresh.
    pub fn kept(&self, key: &str) -> Option<Outcome<V>> {
        match self.lock().get(key) {
            Some(Slot::Kept { until, outcome }) if Instant::now() < *until => Some(outcome.clone()),
            _ => None,
        }
    }

    /// The kept outcome for `key`, else that of the fetch in flight for it, else that of
    /// `fetch`, started now.
    pub async fn get<F>(self: &Arc<Self>, key: &str, fetch: F) -> Outcome<V>
    where
        F: Future<Output = Outcome<V>> + Send + 'static,
    {
        let flight = {
            let mut slots = self.lock();
            let now = Instant::now();
            match slots.get(key) {
                Some(Slot::Kept { until, outcome }) if now < *until => {
                    self.lookups.hit.inc();
                    return outcome.clone();
                }
                Some(Slot::InFlight(flight)) => {
                    self.lookups.merged.inc();
                    flight.clone()
                }
                _ => {
                    self.lookups.miss.inc();
                    slots.retain(
                        |_, slot| !matches!(slot, Slot::Kept { until, .. } if *until <= now),
                    );
                    let flight = self.launch(key.to_owned(), fetch);
                    slots.insert(key.to_owned(), Slot::InFlight(flight.clone()));
                    flight
                }
            }
        };
        flight.await
    }

    /// Spawns `fetch`; when it ends, its outcome replaces the in-flight slot (or clears it).
    /// The slot is inserted under the same lock that `land` takes, so it is there first.
    fn launch<F>(self: &Arc<Self>, key: String, fetch: F) -> Flight<V>
    where
        F: Future<Output = Outcome<V>> + Send + 'static,
    {
        let cache = Arc::clone(self);
        let task = tokio::spawn(async move {
            let outcome = fetch.await;
            cache.land(&key, &outcome);
            outcome
        });
        async move {
            task.await.unwrap_or_else(|err| {
                Err(PriceError::Unavailable(format!(
                    "the lookup did not finish: {err}"
                )))
            })
        }
        .boxed()
        .shared()
    }

    fn land(&self, key: &str, outcome: &Outcome<V>) {
        let mut slots = self.lock();
        match (self.keep)(outcome).filter(|keep| !keep.is_zero()) {
            Some(keep) => {
                slots.insert(
                    key.to_owned(),
                    Slot::Kept {
                        until: Instant::now() + keep,
                        outcome: outcome.clone(),
                    },
                );
            }
            None => {
                slots.remove(key);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot<V>>> {
        self.slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
