//! When the pool checks that a connection still works. r2d2's own rule (with diesel's
//! manager) is a `SELECT 1` before every checkout: on PostgreSQL a full round trip, as many as
//! the request's own queries. Here a connection is tested only when it has been idle long
//! enough for the server to have gone away unseen (a restart, a failover, an idle timeout),
//! and after work on it failed; a failed test retires it. Busy connections go straight to work,
//! and a connection that dies under load fails one request (503), then is replaced.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::r2d2::{ConnectionManager, ManageConnection, R2D2Connection};

use super::breaker::Breaker;
use super::deadline::{ReportWaits, Watch, WatchSlot};

/// A connection idle for longer than this is tested before it is handed out.
pub const TEST_WHEN_IDLE_FOR: Duration = Duration::from_secs(2);

/// A pooled connection and what the pool knows about its health.
pub struct Tracked<C> {
    conn: C,
    returned_at: Instant,
    broken: bool,
    /// Where the connection reports its waits to the work that holds it.
    waits: WatchSlot,
}

impl<C: R2D2Connection> Tracked<C> {
    /// After work on this connection failed: tests it, and retires it from the pool if the
    /// test fails too (the failure was the connection's, not the work's).
    pub fn test_after_failure(&mut self) {
        if self.conn.ping().is_err() {
            self.broken = true;
        }
    }

    /// Reports this connection's waits to `watch` until [`Tracked::unwatch`].
    pub fn watch(&self, watch: Arc<Watch>) {
        self.waits.attach(watch);
    }

    pub fn unwatch(&self) {
        self.waits.detach();
    }

    /// Whether the work holding this connection was given up on by its caller.
    pub fn abandoned(&self) -> bool {
        self.waits.current().is_some_and(|watch| watch.abandoned())
    }
}

impl<C> Deref for Tracked<C> {
    type Target = C;

    fn deref(&self) -> &C {
        &self.conn
    }
}

impl<C> DerefMut for Tracked<C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.conn
    }
}

/// diesel's connection manager with the testing rule above. Build the pool with
/// `test_on_check_out(true)`: r2d2 then asks [`ManageConnection::is_valid`], which decides.
/// Every attempt to connect is reported to the pool's circuit breaker.
pub struct Manager<C: R2D2Connection + 'static> {
    inner: ConnectionManager<C>,
    breaker: Arc<Breaker>,
}

impl<C: R2D2Connection + 'static> Manager<C> {
    pub fn new(url: impl Into<String>, breaker: Arc<Breaker>) -> Self {
        Self {
            inner: ConnectionManager::new(url),
            breaker,
        }
    }
}

impl<C: R2D2Connection + Send + 'static> ManageConnection for Manager<C> {
    type Connection = Tracked<C>;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Tracked<C>, Self::Error> {
        let mut conn = self
            .inner
            .connect()
            .inspect_err(|err| self.breaker.refused(err))?;
        self.breaker.connected();
        let waits = WatchSlot::default();
        conn.set_instrumentation(ReportWaits(waits.clone()));
        Ok(Tracked {
            conn,
            returned_at: Instant::now(),
            broken: false,
            waits,
        })
    }

    fn is_valid(&self, conn: &mut Tracked<C>) -> Result<(), Self::Error> {
        if conn.returned_at.elapsed() < TEST_WHEN_IDLE_FOR {
            return Ok(());
        }
        self.inner.is_valid(&mut conn.conn)
    }

    /// Called as the connection goes back to the pool, so it also notes when.
    fn has_broken(&self, conn: &mut Tracked<C>) -> bool {
        conn.returned_at = Instant::now();
        conn.unwatch();
        conn.broken || self.inner.has_broken(&mut conn.conn)
    }
}
