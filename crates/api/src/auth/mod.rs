//! Who is calling: password hashing, JWTs and the request extractor that checks them.

mod identity;
pub mod password;
pub mod tokens;

pub use identity::Identity;
pub use tokens::{TokenKind, TokenService};
