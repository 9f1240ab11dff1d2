//! The API's one error type, and the single place it becomes an HTTP response.

use std::collections::BTreeMap;
use std::time::Duration;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::DatabaseErrorKind;
use shared::request::RequestContext;
use shared::wire::ErrorBody;

use crate::auth::{AuthError, HashError};
use crate::db::DbError;
use crate::game::GameError;
use crate::ledger::lots::{LedgerError, Short};
use crate::ledger::Overflow;
use crate::models::transaction::{LoadError, WriteError};
use crate::prices::PriceError;

/// Field name -> messages, serialised as DRF does: `{"username": ["..."]}`.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid fields: {0:?}")]
    Fields(FieldErrors),
    #[error("bad request: {detail}")]
    BadRequest { detail: String, code: &'static str },
    #[error("no credentials")]
    NotAuthenticated,
    #[error("token not valid")]
    TokenNotValid,
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("permission denied")]
    PermissionDenied,
    #[error("conflict: {detail}")]
    Conflict { detail: String, code: &'static str },
    #[error("upstream provider failed: {0}")]
    BadGateway(String),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("unsupported media type {given:?}")]
    UnsupportedMediaType {
        given: String,
        expected: &'static str,
    },
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("request body too slow")]
    RequestTimeout,
    /// Over a limit: 429 with `Retry-After`, in whole seconds rounded up.
    #[error("throttled for {retry_after:?}")]
    Throttled { retry_after: Duration },
    /// Every place in a bounded line (password hashing) is taken; nobody in particular is at
    /// fault, so it is a 503, not a 429.
    #[error("busy: {0}")]
    Busy(&'static str),
    #[error(transparent)]
    Unavailable(DbError),
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// One field's error, for checks that can only fail on one field (a taken username).
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        Self::Fields(BTreeMap::from([(name.to_owned(), vec![message.into()])]))
    }

    pub fn bad_request(detail: impl Into<String>, code: &'static str) -> Self {
        Self::BadRequest {
            detail: detail.into(),
            code,
        }
    }

    pub fn conflict(detail: impl Into<String>, code: &'static str) -> Self {
        Self::Conflict {
            detail: detail.into(),
            code,
        }
    }

    pub fn bad_gateway(cause: impl Into<String>) -> Self {
        Self::BadGateway(cause.into())
    }

    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(cause.into())
    }
}

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        match err {
            _ if err.is_unavailable() => Self::Unavailable(err),
            DbError::Query(diesel::result::Error::NotFound) => Self::NotFound,
            // The connection died under the request (the server restarted or went away): the
            // database is unavailable, as when no connection can be had at all.
            DbError::Query(diesel::result::Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            )) => Self::Unavailable(err),
            // What the row refers to was deleted meanwhile: most often the account itself, by
            // another replica within the account cache's lifetime.
            DbError::Query(diesel::result::Error::DatabaseError(
                DatabaseErrorKind::ForeignKeyViolation,
                _,
            )) => Self::conflict("Something this refers to was deleted meanwhile.", "deleted"),
            other => Self::internal(other),
        }
    }
}

impl From<HashError> for ApiError {
    fn from(err: HashError) -> Self {
        match err {
            HashError::Busy => Self::Busy("password hashing"),
            other => Self::internal(other),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::Throttled(retry_after) => Self::Throttled { retry_after },
            AuthError::InvalidCredentials => Self::InvalidCredentials,
            AuthError::Hashing(err) => err.into(),
            AuthError::Database(err) => err.into(),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        DbError::Query(err).into()
    }
}

impl From<WriteError> for ApiError {
    /// A short sale is the `quantity`'s fault: the field that would have to change.
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Short(short) => Self::field("quantity", short_sale_message(&short)),
            WriteError::Overflow(overflow) => overflow.into(),
            WriteError::Load(LoadError::Database(err)) => err.into(),
            WriteError::Load(err @ LoadError::Malformed(_)) => Self::internal(err),
        }
    }
}

/// What a refused sale tells the user: which sale, and what the account held then.
pub fn short_sale_message(short: &Short) -> String {
    format!(
        "The sale of {} {} on {} would exceed the {} the account holds then.",
        short.wanted.normalize(),
        short.ticker,
        short.date,
        short.held.normalize()
    )
}

impl From<LedgerError> for ApiError {
    /// A stored ledger replays cleanly (every write is checked), so a short sale here is a bug.
    fn from(err: LedgerError) -> Self {
        match err {
            LedgerError::Overflow(overflow) => overflow.into(),
            short @ LedgerError::Short(_) => Self::internal(short),
        }
    }
}

impl From<Overflow> for ApiError {
    fn from(err: Overflow) -> Self {
        ApiError::bad_request(err.to_string(), "out_of_range")
    }
}

impl From<GameError> for ApiError {
    fn from(err: GameError) -> Self {
        match err {
            GameError::NoOptions(_) | GameError::MissingStartPrices(_) | GameError::NotReady(_) => {
                Self::bad_request(err.to_string(), "week_not_ready")
            }
            GameError::Price(err) => err.into(),
            GameError::PriceRecorded(_) => Self::conflict(err.to_string(), "price_recorded"),
            GameError::NoSuchOption(_) => Self::field("option", err.to_string()),
            GameError::PicksClosed { .. } => Self::conflict(err.to_string(), "week_closed"),
            GameError::AlreadyPicked => Self::bad_request(err.to_string(), "already_picked"),
            GameError::PickLimit(_) => Self::bad_request(err.to_string(), "pick_limit"),
            GameError::Busy => Self::conflict(err.to_string(), "busy"),
            GameError::NoSuchPick => Self::NotFound,
            GameError::Database(err) => err.into(),
        }
    }
}

impl From<PriceError> for ApiError {
    fn from(err: PriceError) -> Self {
        match err {
            PriceError::UnknownSymbol(symbol) => Self::bad_request(
                format!("No price is known for {symbol}; give it by hand."),
                "price_missing",
            ),
            PriceError::Unavailable(cause) => Self::bad_gateway(cause),
            PriceError::Throttled { retry_after } => Self::Throttled { retry_after },
            PriceError::Database(shared) => match std::sync::Arc::try_unwrap(shared) {
                Ok(db) => db.into(),
                Err(shared) => Self::internal(PriceError::Database(shared)),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Fields(_) | Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::NotAuthenticated | Self::TokenNotValid | Self::InvalidCredentials => {
                StatusCode::UNAUTHORIZED
            }
            Self::PermissionDenied => StatusCode::FORBIDDEN,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::BadGateway(_) => StatusCode::BAD_GATEWAY,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy(_) | Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        let body = match self {
            Self::Fields(errors) => return response.json(errors),
            Self::BadRequest { detail, code } => ErrorBody::new(detail.clone(), *code),
            Self::NotAuthenticated => {
                response.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="api""#));
                ErrorBody::new(
                    "Authentication credentials were not provided.",
                    "not_authenticated",
                )
            }
            Self::TokenNotValid => {
                response.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="api""#));
                ErrorBody::new(
                    "Given token not valid for any token type",
                    "token_not_valid",
                )
            }
            Self::InvalidCredentials => ErrorBody::new(
                "No active account found with the given credentials",
                "no_active_account",
            ),
            Self::PermissionDenied => ErrorBody::new(
                "You do not have permission to perform this action.",
                "permission_denied",
            ),
            Self::Conflict { detail, code } => ErrorBody::new(detail.clone(), *code),
            Self::BadGateway(cause) => {
                log::warn!("upstream provider failed: {cause}");
                ErrorBody::new(
                    "The price provider could not be reached; try again later.",
                    "bad_gateway",
                )
            }
            Self::NotFound => ErrorBody::new("Not found.", "not_found"),
            Self::MethodNotAllowed => ErrorBody::new("Method not allowed.", "method_not_allowed"),
            Self::UnsupportedMediaType { given, expected } => ErrorBody::new(
                format!("Unsupported media type \"{given}\" in request; use {expected}."),
                "unsupported_media_type",
            ),
            Self::PayloadTooLarge => {
                ErrorBody::new("Request body is too large.", "payload_too_large")
            }
            Self::RequestTimeout => ErrorBody::new(
                "The request body took too long to arrive.",
                "request_timeout",
            ),
            Self::Throttled { retry_after } => {
                let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                let seconds = seconds.max(1);
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
                ErrorBody::new(
                    format!("Request was throttled. Expected available in {seconds} seconds."),
                    "throttled",
                )
            }
            Self::Busy(what) => {
                log::debug!("refused a request: {what} is at capacity");
                response.insert_header((header::RETRY_AFTER, "1"));
                ErrorBody::new("The server is busy; try again in a moment.", "busy")
            }
            Self::Unavailable(cause) => {
                log::error!("{cause}");
                response.insert_header((header::RETRY_AFTER, "5"));
                ErrorBody::new(
                    "The service is temporarily unavailable; try again shortly.",
                    "service_unavailable",
                )
            }
            Self::Internal(cause) => {
                log::error!("internal error: {cause}");
                ErrorBody::new("A server error occurred.", "server_error")
            }
        };
        if self.status_code().is_server_error() {
            let id = RequestContext::current();
            return response.json(body.for_request(id.as_ref().map(|context| &context.id)));
        }
        response.json(body)
    }
}
