//! Database rows and the queries over them. Every query about a user's objects takes the owner's
//! id, so an ownership check cannot be forgotten by a handler.

pub mod account;
pub mod asset;
pub mod closes;
pub mod fx;
pub mod import;
pub mod login_throttle;
pub mod quota;
pub mod selection;
pub mod session;
pub mod transaction;
pub mod user;
pub mod watchlist;
pub mod week;
