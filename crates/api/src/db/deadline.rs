//! How long a request waits on the database. A request's database work runs on a blocking
//! thread that can be stuck in libpq for as long as the server is frozen (a stopped process, a
//! partition): nothing on that thread can give up. So the async side watches it instead. Each
//! piece of work has a [`Watch`] that records since when it has been waiting on the database
//! (for a connection, or for a statement's answer, reported by the connection's diesel
//! instrumentation) and answers for it once one wait has lasted the limit.
//!
//! Only waits count, not the work's own computing between statements, and each wait on its
//! own: a large import that keeps getting answers is never cut short; one statement that gets
//! no answer is. Work given up on is marked abandoned, so a write transaction that comes back
//! later rolls back instead of committing what the client was told failed.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use tokio::task::JoinHandle;

use super::DbError;

/// Since when one piece of work has been waiting on the database, and whether its caller has
/// stopped waiting for it.
#[derive(Debug)]
pub struct Watch {
    /// Milliseconds after [`epoch`] plus one; 0 while the work is not waiting.
    waiting_since: AtomicU64,
    abandoned: AtomicBool,
}

impl Watch {
    /// A watch on work that starts by waiting (for a connection).
    pub fn waiting() -> Arc<Self> {
        let watch = Arc::new(Self {
            waiting_since: AtomicU64::new(0),
            abandoned: AtomicBool::new(false),
        });
        watch.start_waiting();
        watch
    }

    pub fn start_waiting(&self) {
        self.waiting_since
            .store(ticks(Instant::now()), Ordering::Release);
    }

    pub fn stop_waiting(&self) {
        self.waiting_since.store(0, Ordering::Release);
    }

    fn waiting_since(&self) -> Option<Instant> {
        match self.waiting_since.load(Ordering::Acquire) {
            0 => None,
            ticks => Some(epoch() + Duration::from_millis(ticks - 1)),
        }
    }

    /// Whether the caller gave up on this work: whatever it still writes must not commit.
    pub fn abandoned(&self) -> bool {
        self.abandoned.load(Ordering::Acquire)
    }

    fn abandon(&self) {
        self.abandoned.store(true, Ordering::Release);
    }
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn ticks(at: Instant) -> u64 {
    let millis = at.saturating_duration_since(epoch()).as_millis();
    u64::try_from(millis).unwrap_or(u64::MAX - 1) + 1
}

/// Awaits `work`, answering [`DbError::NoAnswer`] once any one of its waits on the database has
/// lasted `limit`. The blocking thread is left to finish (or fail) on its own; `watch` tells it
/// that it was abandoned.
pub async fn within<T, E>(
    work: JoinHandle<Result<T, E>>,
    watch: &Watch,
    limit: Duration,
) -> Result<T, E>
where
    E: From<DbError>,
{
    tokio::pin!(work);
    loop {
        // The earliest moment the current wait (if any) can have lasted the limit.
        let check_at = watch.waiting_since().unwrap_or_else(Instant::now) + limit;
        tokio::select! {
            joined = &mut work => {
                return joined.map_err(|interrupted| E::from(DbError::from(interrupted)))?;
            }
            () = tokio::time::sleep_until(check_at.into()) => {
                if watch.waiting_since().is_some_and(|since| since.elapsed() >= limit) {
                    watch.abandon();
                    return Err(E::from(DbError::NoAnswer(limit)));
                }
            }
        }
    }
}

/// The slot through which a pooled connection reports its waits to whichever work holds it.
#[derive(Debug, Default, Clone)]
pub struct WatchSlot(Arc<Mutex<Option<Arc<Watch>>>>);

impl WatchSlot {
    pub fn attach(&self, watch: Arc<Watch>) {
        *self.lock() = Some(watch);
    }

    pub fn detach(&self) {
        *self.lock() = None;
    }

    pub fn current(&self) -> Option<Arc<Watch>> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Arc<Watch>>> {
        // The slot holds no invariant a panic could break.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// diesel instrumentation that marks the attached watch as waiting from each statement's start
/// to its end.
pub struct ReportWaits(pub WatchSlot);

impl Instrumentation for ReportWaits {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        let watch = match event {
            InstrumentationEvent::StartQuery { .. } | InstrumentationEvent::FinishQuery { .. } => {
                self.0.current()
            }
            _ => None,
        };
        if let Some(watch) = watch {
            match event {
                InstrumentationEvent::StartQuery { .. } => watch.start_waiting(),
                _ => watch.stop_waiting(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_once_one_wait_lasts_the_limit() {
        let watch = Watch::waiting();
        let inner = watch.clone();
        let work = tokio::task::spawn(async move {
            // Short waits with work between them, all together longer than the limit.
            for _ in 0..3 {
                inner.start_waiting();
                tokio::time::sleep(Duration::from_millis(50)).await;
                inner.stop_waiting();
                tokio::time::sleep(Duration::from_millis(400)).await;
            }
            // Then one wait that never ends.
            inner.start_waiting();
            std::future::pending::<()>().await;
            Ok::<_, DbError>(())
        });
        let started = Instant::now();
        let outcome = within(work, &watch, Duration::from_secs(1)).await;
        assert!(matches!(outcome, Err(DbError::NoAnswer(_))), "{outcome:?}");
        assert!(watch.abandoned());
        // Not cut while it made progress: the three rounds, then the stuck wait's full second.
        assert!(started.elapsed() >= Duration::from_millis(3 * 450 + 1000));
    }

    #[tokio::test]
    async fn work_that_finishes_is_not_abandoned() {
        let watch = Watch::waiting();
        let inner = watch.clone();
        let work = tokio::task::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            inner.stop_waiting();
            // Computing, not waiting on the database: longer than the limit, and never cut.
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok::<_, DbError>(7)
        });
        assert_eq!(
            within(work, &watch, Duration::from_millis(200))
                .await
                .unwrap(),
            7
        );
        assert!(!watch.abandoned());
    }
}
