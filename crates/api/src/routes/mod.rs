//! HTTP handlers, one file per resource. Paths are bound in `router.rs`.

pub mod assets;
pub mod fallback;
pub mod health;
pub mod quotes;
pub mod tokens;
pub mod users;
pub mod wallstreet;

use actix_web::web;

use crate::db::{DbConn, DbPool};
use crate::error::ApiError;

/// Runs blocking database work on actix's blocking thread pool, never on the async executor.
pub(crate) async fn with_db<T, F>(pool: &web::Data<DbPool>, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get()?;
        work(&mut conn)
    })
    .await?
}
