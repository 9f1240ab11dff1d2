//! Database access: one pool type over PostgreSQL or SQLite, chosen by `DATABASE_URL`.
//!
//! Queries are written once with diesel's query builder and compiled for both backends by the
//! [`with_conn!`](crate::with_conn) macro, so every model function reads like single-backend
//! code; [`DbConn::write_transaction`] groups them atomically, and [`DbPool::run`] runs them
//! from async code on the blocking thread pool.

mod breaker;
mod deadline;
mod error;
mod liveness;
mod migrations;
mod pool;
pub mod schema;
pub mod sql_types;
pub mod url;

pub use error::DbError;
pub(crate) use pool::with_client_defaults;
pub use pool::{DbConn, DbPool, PoolEvents, PoolOptions, PoolState};
pub use url::DatabaseUrl;

/// Runs `$body` with `$c` bound to the concrete connection (`&mut PgConnection` or
/// `&mut SqliteConnection`); the body is compiled once per backend.
#[macro_export]
macro_rules! with_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres(pooled) => {
                let $c: &mut ::diesel::PgConnection = &mut *pooled;
                $body
            }
            $crate::db::DbConn::Sqlite(pooled) => {
                let $c: &mut ::diesel::SqliteConnection = &mut *pooled;
                $body
            }
        }
    };
}
