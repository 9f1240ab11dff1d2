//! A game clock the tests move by hand, so deadline rules are tested without sleeping. It lives
//! here, not in the api's library: only tests have a use for a clock that stands still.

use std::sync::{Arc, Mutex};

use api::clock::Clock;
use chrono::{DateTime, Utc};

/// A clock that stands still until told to move.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Arc<Self> {
        Arc::new(Self(Mutex::new(start)))
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = now;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}
