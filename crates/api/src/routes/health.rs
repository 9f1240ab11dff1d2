use std::time::Duration;

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use shared::wire::{HealthReport, Status};

use crate::db::{DbError, DbPool};
use crate::with_conn;

/// How long the check may wait for a connection; load balancers time out health checks fast.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness and database reachability: 200 when a query succeeds, 503 when it does not. The
/// pool re-validates connections on checkout, so the answer recovers by itself with the database.
#[utoipa::path(
    method(get, head),
    path = "/api/health",
    operation_id = "health",
    tag = "meta",
    responses(
        (status = 200, description = "Up, and the database answers.", body = shared::wire::HealthReport),
        (status = 503, description = "Up, but the database does not answer.", body = shared::wire::HealthReport),
    )
)]
pub async fn check(pool: web::Data<DbPool>) -> HttpResponse {
    let reachable = pool
        .run_within(CHECK_TIMEOUT, |conn| {
            with_conn!(conn, |c| c.batch_execute("SELECT 1")).map_err(DbError::from)
        })
        .await;
    let database = match reachable {
        Ok(()) => Status::Ok,
        Err(cause) => {
            log::warn!("health check: database unreachable: {cause}");
            Status::Unavailable
        }
    };
    let report = HealthReport {
        status: database,
        database,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    match database {
        Status::Ok => HttpResponse::Ok(),
        Status::Unavailable => HttpResponse::ServiceUnavailable(),
    }
    .insert_header(("Cache-Control", "no-store"))
    .json(report)
}
