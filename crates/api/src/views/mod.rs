//! What goes on the wire: response bodies, converted from database rows in one place each.

pub mod asset;
pub mod ledger;
pub mod portfolio;
pub mod token;
pub mod user;
pub mod wallstreet;
pub mod watchlist;
