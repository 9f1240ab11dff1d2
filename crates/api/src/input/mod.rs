//! What a request brings, parsed into domain values: its JSON body (`body`), read field by
//! field (`fields`), and its query-string and path parameters (`params`). Bad input becomes an
//! [`ApiError`](crate::error::ApiError) the client can act on.

pub mod body;
pub mod fields;
pub mod params;

pub use body::{CsvBody, JsonObject, MAX_BODY_BYTES};
