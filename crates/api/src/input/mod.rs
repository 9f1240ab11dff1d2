//! What a request brings, parsed into domain values: its JSON body (`body`), read field by
//! field (`fields`), its query-string and path parameters (`params`), the client's network
//! address (`client_ip`), and the caller its access token names (`identity`). Bad input becomes an
//! [`ApiError`](crate::error::ApiError) the client can act on.

pub mod body;
pub mod client_ip;
pub mod entry;
pub mod fields;
pub mod identity;
pub mod params;

pub use body::{CsvBody, JsonObject, MAX_BODY_BYTES};
pub use client_ip::{ClientIp, TrustedProxies};
pub use identity::Identity;
