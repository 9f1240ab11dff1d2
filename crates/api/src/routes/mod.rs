//! HTTP handlers, one file per resource. Paths are bound in `router.rs`.

pub mod assets;
pub mod docs;
pub mod fallback;
pub mod health;
pub mod me;
pub mod metrics;
pub mod portfolio;
pub mod quotes;
pub mod tokens;
pub mod users;
pub mod wallstreet;
pub mod watchlist;
