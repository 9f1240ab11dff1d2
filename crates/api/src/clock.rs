//! Time as the game sees it. Production uses the system clock; tests inject a clock they move
//! by hand, so deadline rules are tested without sleeping.

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub type SharedClock = Arc<dyn Clock>;

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
