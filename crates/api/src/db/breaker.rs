//! A circuit breaker on connecting. r2d2 on its own keeps retrying a refused connection until
//! the caller's whole wait (`DATABASE_TIMEOUT_SECS`) is over, so while the database is down
//! every request sits out that wait before its 503, and requests pile up exactly when the
//! system is weakest. Here a failed connection attempt opens the breaker until one succeeds:
//!
//! - one request at a time **probes**: it waits at most [`PROBE_WAIT`] for a connection (which
//!   starts a new attempt), and gives up as soon as another attempt is refused;
//! - every other request that finds no idle connection meanwhile is answered at once;
//! - the first successful connection, by whichever thread made it (r2d2 also keeps retrying in
//!   the background), closes the breaker.
//!
//! So a database that is down costs each request at most the probe's wait, and one that merely
//! cut a connection while it was being made (a restart, `pg_terminate_backend`) costs nothing
//! more than that one attempt: the next request's probe connects. A request already waiting
//! when an attempt is refused stops waiting too.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::DbError;

/// The longest a request waits for a connection while the last attempt failed.
pub const PROBE_WAIT: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub struct Breaker {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// When the last connection attempt failed and why, if none has succeeded since.
    refused: Option<(Instant, String)>,
    /// Whether a request is probing now.
    probing: bool,
}

/// What a request may do: wait this long, as the probe while it holds the guard.
pub struct Admission<'a> {
    pub wait: Duration,
    _probe: Option<Probe<'a>>,
}

struct Probe<'a>(&'a Breaker);

impl Drop for Probe<'_> {
    fn drop(&mut self) {
        self.0.lock().probing = false;
    }
}

impl Breaker {
    pub fn connected(&self) {
        self.lock().refused = None;
    }

    /// A connection attempt failed, for this `reason` (the driver's words).
    pub fn refused(&self, reason: impl std::fmt::Display) {
        self.lock().refused = Some((Instant::now(), reason.to_string()));
    }

    /// How long a request that starts now may wait for a connection, given its own limit; or
    /// the error to answer at once.
    pub fn admit(&self, wait: Duration) -> Result<Admission<'_>, DbError> {
        let mut state = self.lock();
        match &state.refused {
            None => Ok(Admission { wait, _probe: None }),
            Some(refused) if state.probing => Err(refusal(refused)),
            Some(_) => {
                state.probing = true;
                Ok(Admission {
                    wait: wait.min(PROBE_WAIT),
                    _probe: Some(Probe(self)),
                })
            }
        }
    }

    /// Whether an attempt was refused after `since`: a request waiting since then gives up.
    pub fn refused_since(&self, since: Instant) -> Option<DbError> {
        self.lock()
            .refused
            .as_ref()
            .filter(|(at, _)| *at >= since)
            .map(refusal)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn refusal((at, reason): &(Instant, String)) -> DbError {
    DbError::Refused {
        ago: at.elapsed(),
        reason: reason.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAIT: Duration = Duration::from_secs(5);

    #[test]
    fn closed_then_one_probe_at_a_time_then_closed() {
        let breaker = Breaker::default();
        assert_eq!(breaker.admit(WAIT).unwrap().wait, WAIT);
        assert_eq!(
            breaker.admit(WAIT).unwrap().wait,
            WAIT,
            "no probe while closed"
        );

        let before = Instant::now();
        breaker.refused("connection refused");
        let refused = breaker.refused_since(before).unwrap();
        assert!(
            refused.to_string().ends_with("ago: connection refused"),
            "{refused}"
        );
        assert!(breaker.refused_since(Instant::now()).is_none());
        {
            let probe = breaker.admit(WAIT).unwrap();
            assert_eq!(probe.wait, PROBE_WAIT);
            assert!(matches!(breaker.admit(WAIT), Err(DbError::Refused { .. })));
        }
        // The probe gave up: the next request probes, with its own shorter limit if it has one.
        let probe = breaker.admit(Duration::from_millis(300)).unwrap();
        assert_eq!(probe.wait, Duration::from_millis(300));
        drop(probe);

        breaker.connected();
        assert_eq!(breaker.admit(WAIT).unwrap().wait, WAIT);
    }
}
