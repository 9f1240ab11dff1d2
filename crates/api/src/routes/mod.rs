//! HTTP handlers, one file per resource. Paths are bound in `router.rs`.

pub mod accounts;
pub mod assets;
pub mod csv_files;
pub mod docs;
pub mod fallback;
pub mod health;
pub mod me;
pub mod metrics;
pub mod performance;
pub mod portfolio;
pub mod positions;
pub mod quotes;
pub mod tokens;
pub mod transactions;
pub mod users;
pub mod wallstreet;
pub mod watchlist;
