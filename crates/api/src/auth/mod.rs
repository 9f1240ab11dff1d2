//! Who is calling: password hashing (ours and the Django hashes imported accounts keep until
//! their first login; bounded, off the executor), login timing, the failed-login throttle and
//! the password check built on them, JWTs with the short memory of active sessions that the request extractor
//! ([`crate::input::Identity`]) checks them against, and pruning what has expired.

pub mod account_cache;
mod credentials;
pub mod django_hashers;
mod hasher;
pub mod login_timing;
pub mod password;
pub mod pruning;
pub mod throttle;
pub mod tokens;

pub use account_cache::AccountCache;
pub use credentials::{Account, AuthError, Authenticator, Checked};
pub use hasher::{HashError, HashTicket, Hasher};
pub use login_timing::LoginTiming;
pub use throttle::ThrottlePolicy;
pub use tokens::{TokenKind, TokenService};
