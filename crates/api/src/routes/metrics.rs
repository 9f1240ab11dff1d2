use actix_web::{web, HttpResponse};

use crate::db::DbPool;
use crate::telemetry::Metrics;

/// `GET /metrics`: every metric in Prometheus' text format. On the api's own listener only:
/// the proxy forwards the API prefixes, which do not include it.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "meta",
    responses((status = 200, description = "Every metric, in Prometheus' text format (on the api's own listener; the proxy does not forward it).", content_type = "text/plain", body = String))
)]
pub async fn render(metrics: web::Data<Metrics>, pool: web::Data<DbPool>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(shared::metrics::CONTENT_TYPE)
        .insert_header(("Cache-Control", "no-store"))
        .body(metrics.render(&pool))
}
