//! Logins that take as long whatever kind of hash an account has.
//!
//! A password check costs what its hash costs: our Argon2id tens of milliseconds, Django's
//! PBKDF2 at 390000 rounds several times that, Django's Argon2 (100 MiB) more again, and the
//! first login with an imported hash also re-hashes it. Someone timing logins could tell which
//! accounts still carry a Django hash (imported, never logged in since). So every login
//! answers no sooner than a floor that covers the slowest check the accounts need, and sleeps
//! for the rest. Sleeping costs no CPU; the other way, spending the same work on every login
//! (a dummy PBKDF2 after every Argon2id check), would multiply the hashing work of every login
//! and divide the logins a CPU can take.
//!
//! The floor is measured when the server starts: our own check, and one check of every hash
//! kind and cost still stored, plus the re-hash, each the slower of two runs, with a margin. A
//! kind and cost first met later (hashes imported while the server runs) raises it by what its
//! first check took. Nothing else moves it: a check that is slow only because the machine is
//! busy (a login flood) would otherwise ratchet every later login up to [`MAX_FLOOR`] until a
//! restart. It never passes [`MAX_FLOOR`], beyond which a check's own time shows.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::django_hashers::DjangoHash;
use super::password::{self, Verification};

/// Latency a login may be padded to at most.
pub const MAX_FLOOR: Duration = Duration::from_secs(3);
/// What the measured slowest check is multiplied by, against run-to-run variation.
const MARGIN_NUMERATOR: u32 = 5;
const MARGIN_DENOMINATOR: u32 = 4;
const CALIBRATION_CANDIDATE: &str = "login-timing-calibration";

/// The floor every login of one server is padded to.
#[derive(Debug)]
pub struct LoginTiming {
    floor_micros: AtomicU64,
    /// The Django hash kinds and costs the floor already covers.
    covered: Mutex<BTreeSet<String>>,
}

impl LoginTiming {
    /// Measures the checks the accounts need: ours, and one of each kind and cost among
    /// `stored`, the password hashes that are not ours yet.
    pub fn calibrate<'a>(stored: impl IntoIterator<Item = &'a str>) -> Self {
        let own = own_costs();
        let mut slowest = own.check;
        let mut costs = BTreeSet::new();
        for stored in stored {
            let Ok(django) = DjangoHash::parse(stored) else {
                continue;
            };
            if matches!(django, DjangoHash::Unusable) {
                continue;
            }
            if costs.insert(django.cost()) {
                let check = slower_of_two(|| {
                    django.matches(CALIBRATION_CANDIDATE);
                });
                slowest = slowest.max(check + own.rehash);
            }
        }
        let kinds = costs.len() + 1;
        let timing = Self {
            floor_micros: AtomicU64::new(0),
            covered: Mutex::new(costs),
        };
        timing.raise_to_cover(slowest);
        log::info!(
            "every login takes at least {:?} (the slowest password check among {kinds} hash kinds)",
            timing.floor(),
        );
        timing
    }

    /// Checks `candidate` against `stored` (see [`password::verify`]), raising the floor when
    /// `stored` is a Django hash of a kind and cost the floor does not cover yet.
    pub fn check(&self, candidate: &str, stored: &str) -> Verification {
        let started = Instant::now();
        let outcome = password::verify(candidate, stored);
        self.note_check(stored, started.elapsed());
        outcome
    }

    /// Spends a check's time for a login whose username has no account.
    pub fn check_nothing(&self, candidate: &str) {
        password::verify_against_nothing(candidate);
    }

    fn note_check(&self, stored: &str, spent: Duration) {
        // Our own PHC hashes start with `$`; only Django's can be a kind the floor lacks.
        if stored.starts_with('$') {
            return;
        }
        let Ok(django) = DjangoHash::parse(stored) else {
            return;
        };
        if matches!(django, DjangoHash::Unusable) {
            return;
        }
        let first_of_its_kind = self
            .covered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(django.cost());
        if first_of_its_kind {
            self.raise_to_cover(spent + own_costs().rehash);
        }
    }

    /// Waits until the floor has passed since `started`, the moment the login began.
    pub async fn pace(&self, started: Instant) {
        if let Some(rest) = self.floor().checked_sub(started.elapsed()) {
            tokio::time::sleep(rest).await;
        }
    }

    pub fn floor(&self) -> Duration {
        Duration::from_micros(self.floor_micros.load(Ordering::Relaxed))
    }

    fn raise_to_cover(&self, spent: Duration) {
        let floor = (spent * MARGIN_NUMERATOR / MARGIN_DENOMINATOR).min(MAX_FLOOR);
        let micros = u64::try_from(floor.as_micros()).unwrap_or(u64::MAX);
        self.floor_micros.fetch_max(micros, Ordering::Relaxed);
    }
}

/// What our own hashes cost on this machine: a check, and the re-hash an imported password
/// gets. Measured once per process.
struct OwnCosts {
    check: Duration,
    rehash: Duration,
}

fn own_costs() -> &'static OwnCosts {
    static COSTS: OnceLock<OwnCosts> = OnceLock::new();
    COSTS.get_or_init(|| OwnCosts {
        check: slower_of_two(|| password::verify_against_nothing(CALIBRATION_CANDIDATE)),
        rehash: slower_of_two(|| password::hash_for_timing(CALIBRATION_CANDIDATE)),
    })
}

fn slower_of_two(work: impl Fn()) -> Duration {
    (0..2)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .max()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_floor(floor: Duration) -> LoginTiming {
        let timing = LoginTiming {
            floor_micros: AtomicU64::new(0),
            covered: Mutex::new(BTreeSet::new()),
        };
        timing.raise_to_cover(floor * MARGIN_DENOMINATOR / MARGIN_NUMERATOR);
        timing
    }

    const OUR_ARGON2ID: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNo";
    const DJANGO_PBKDF2: &str = "pbkdf2_sha1$1000$seasalt1234$a7YkjI3Gi1x78iSjxJEZ1P3h1ig=";

    #[test]
    fn a_check_slowed_by_a_busy_machine_leaves_the_floor_alone() {
        let timing = with_floor(Duration::from_millis(100));
        timing.note_check(OUR_ARGON2ID, Duration::from_secs(2));
        timing.note_check("!unusable", Duration::from_secs(2));
        assert_eq!(timing.floor(), Duration::from_millis(100));
    }

    #[test]
    fn only_the_first_check_of_a_new_django_kind_raises_the_floor() {
        let timing = with_floor(Duration::from_millis(1));
        timing.note_check(DJANGO_PBKDF2, Duration::from_millis(200));
        let raised = timing.floor();
        assert!(raised >= Duration::from_millis(250));
        timing.note_check(DJANGO_PBKDF2, Duration::from_secs(2));
        assert_eq!(timing.floor(), raised);
    }

    #[test]
    fn the_floor_only_rises_and_stops_at_the_maximum() {
        let timing = with_floor(Duration::from_millis(100));
        assert_eq!(timing.floor(), Duration::from_millis(100));
        timing.raise_to_cover(Duration::from_millis(40));
        assert_eq!(timing.floor(), Duration::from_millis(100));
        timing.raise_to_cover(Duration::from_millis(200));
        assert_eq!(timing.floor(), Duration::from_millis(250));
        timing.raise_to_cover(Duration::from_secs(60));
        assert_eq!(timing.floor(), MAX_FLOOR);
    }

    #[tokio::test]
    async fn pacing_waits_out_the_rest_of_the_floor() {
        let timing = with_floor(Duration::from_millis(30));
        let started = Instant::now();
        timing.pace(started).await;
        assert!(started.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn calibration_takes_what_it_can_check_and_skips_the_rest() {
        let timing = LoginTiming::calibrate([
            "pbkdf2_sha1$1000$seasalt1234$a7YkjI3Gi1x78iSjxJEZ1P3h1ig=",
            "pbkdf2_sha1$1000$othersalt$a7YkjI3Gi1x78iSjxJEZ1P3h1ig=",
            "!unusable",
            "md5$salt$0123",
        ]);
        assert!(timing.floor() > Duration::ZERO);
        assert!(timing.floor() <= MAX_FLOOR);
        let covered = timing.covered.lock().unwrap().clone();
        assert_eq!(covered, BTreeSet::from(["pbkdf2 Sha1 1000".to_owned()]));
    }
}
