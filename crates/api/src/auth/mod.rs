//! Who is calling: password hashing (ours and the Django hashes imported accounts keep until
//! their first login), login timing, JWTs and the request extractor that checks them.

pub mod django_hashers;
mod identity;
pub mod login_timing;
pub mod password;
pub mod tokens;

pub use identity::Identity;
pub use login_timing::LoginTiming;
pub use tokens::{TokenKind, TokenService};
