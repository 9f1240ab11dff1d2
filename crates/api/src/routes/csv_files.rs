//! What the CSV endpoints (holdings and transactions) answer alike: a file to download, and an
//! import's report, whose status says whether anything was refused.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;

use crate::portfolio::holdings_csv::RowError;
use crate::views::portfolio::{ImportErrorView, ImportReport};

/// `body` as a CSV attachment named `filename`.
pub fn download(body: Vec<u8>, filename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(r#"attachment; filename="{filename}""#),
        ))
        .body(body)
}

/// An import's report: 400 when it holds errors (nothing was written), except on a dry run,
/// which reports with a 200 whatever it found.
pub fn report(report: ImportReport, dry_run: bool) -> HttpResponse {
    let status = if report.errors.is_empty() || dry_run {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    HttpResponse::build(status).json(report)
}

/// The report of a file refused before anything was written.
pub fn refused(errors: Vec<RowError>, dry_run: bool) -> HttpResponse {
    report(
        ImportReport {
            created: 0,
            skipped: 0,
            errors: errors.into_iter().map(ImportErrorView::from).collect(),
        },
        dry_run,
    )
}
