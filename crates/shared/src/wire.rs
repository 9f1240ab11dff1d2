//! JSON shapes both services put on the wire.

use serde::{Deserialize, Serialize};

use crate::request::RequestId;

/// The body of every non-field error: `{"detail": "...", "code": "..."}`, as DRF clients expect;
/// a server error (5xx) also names its request, `"request_id": "..."`, for support to find it
/// in both services' logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "openapi",
    schema(example = json!({"detail": "Not found.", "code": "not_found"}))
)]
pub struct ErrorBody {
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ErrorBody {
    pub fn new(detail: impl Into<String>, code: impl Into<String>) -> Self {
        Self {
            detail: detail.into(),
            code: Some(code.into()),
            request_id: None,
        }
    }

    /// This body naming the request it answers.
    pub fn for_request(self, id: Option<&RequestId>) -> Self {
        Self {
            request_id: id.map(|id| id.as_str().to_owned()),
            ..self
        }
    }
}

/// Whether a service (or one of its dependencies) is working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Unavailable,
}

/// The body of a health endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthReport {
    pub status: Status,
    pub database: Status,
    pub version: String,
}
