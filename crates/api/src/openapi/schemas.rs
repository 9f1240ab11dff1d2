//! The shapes the handlers read field by field (see `input::fields`, which reports every bad
//! field at once as DRF does), written out for the document, and the error shapes every
//! operation shares. Their limits are those of the domain types that parse them: a string the
//! pattern allows is accepted (or refused with a field error for a reason the pattern cannot
//! say, such as a buy date in the future); a few the pattern refuses are accepted too (`"1.5e2"`,
//! trailing zeros past the places, a JSON number instead of a string).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;
use shared::wire::ErrorBody;
use utoipa::openapi::schema::{OneOfBuilder, Schema};
use utoipa::openapi::{RefOr, Response, ResponseBuilder};
use utoipa::{PartialSchema, ToSchema};

use crate::views::portfolio::ImportReport;
use crate::views::wallstreet::{AllTimeEntry, WeeklyEntry};

/// `{"field": ["message", ...]}`: every bad field of a request, each with all its problems.
#[derive(ToSchema)]
#[schema(example = json!({"shares": ["Ensure that there are no more than 5 decimal places."]}))]
pub struct FieldErrors(#[allow(dead_code)] BTreeMap<String, Vec<String>>);

/// A 400's body: field errors, or `{detail, code}` for a body that is no JSON object or a
/// query string that cannot be read.
pub struct Invalid;

impl PartialSchema for Invalid {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(FieldErrors::schema_ref())
            .item(ErrorBody::schema_ref())
            .into()
    }
}

impl ToSchema for Invalid {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((FieldErrors::name().into(), FieldErrors::schema()));
        schemas.push((ErrorBody::name().into(), ErrorBody::schema()));
    }
}

/// A refused import's body: the report of its bad rows, or a bad `dry_run` (a field error).
pub struct ImportRefused;

impl PartialSchema for ImportRefused {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(ImportReport::schema_ref())
            .item(Invalid::schema())
            .into()
    }
}

impl ToSchema for ImportRefused {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((ImportReport::name().into(), ImportReport::schema()));
        Invalid::schemas(schemas);
    }
}

trait SchemaRef {
    fn schema_ref() -> RefOr<Schema>;
}

impl<T: ToSchema> SchemaRef for T {
    fn schema_ref() -> RefOr<Schema> {
        utoipa::openapi::Ref::from_schema_name(T::name()).into()
    }
}

/// A response whose body is `schema`, with `description`.
pub fn json_response(description: &str, schema: RefOr<Schema>) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(schema))
                .build(),
        )
        .build()
}

pub fn error_body_ref() -> RefOr<Schema> {
    ErrorBody::schema_ref()
}

pub fn invalid_schema() -> RefOr<Schema> {
    Invalid::schema()
}

/// `POST /api/users/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Registration {
    /// Up to 150 letters, digits and `@.+-_`, unique (also by how it looks).
    #[schema(min_length = 1, max_length = 150, example = "alice")]
    username: String,
    /// At least 8 characters, not too common, not all digits, not like the username or email.
    #[schema(min_length = 8, example = "correct-horse-battery")]
    password: String,
    /// Optional; blank is none.
    #[schema(max_length = 254, example = "alice@example.com")]
    email: Option<String>,
}

/// `POST /api/token/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Credentials {
    #[schema(example = "alice")]
    username: String,
    #[schema(example = "correct-horse-battery")]
    password: String,
}

/// `POST /api/token/refresh/` and `POST /api/token/logout/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RefreshToken {
    /// A refresh token from `POST /api/token/` or the last refresh.
    refresh: String,
}

/// `PATCH /api/users/me/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AccountUpdate {
    /// An ISO 4217 code: what positions, realized gains and performance are reported in.
    #[schema(example = "EUR", pattern = "^[A-Za-z]{3}$")]
    base_currency: Option<String>,
}

/// `POST /api/users/me/password/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PasswordChange {
    old_password: String,
    /// Checked like a registration's password.
    new_password: String,
}

/// `DELETE /api/users/me/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PasswordConfirmation {
    password: String,
}

/// A holding as written: every field for a create or a PUT, those that change for a PATCH.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AssetInput {
    #[schema(pattern = r"^[A-Za-z0-9]{1,10}(\.[A-Za-z]{1,2})?$", example = "VTI")]
    ticker: String,
    /// Exact decimal as a string (a JSON number is read digit for digit too): at most 20
    /// digits before the point and 5 after (25 in all), not negative.
    #[schema(pattern = r"^[0-9]{1,20}(\.[0-9]{1,5})?$", example = "10.5")]
    shares: String,
    /// Price paid per share: at most 8 digits before the point and 2 after, not negative.
    #[schema(pattern = r"^[0-9]{1,8}(\.[0-9]{1,2})?$", example = "189.98")]
    costbasis: String,
    /// Not in the future.
    #[schema(example = "2024-03-15")]
    buy: NaiveDate,
}

/// `POST /api/accounts/` (a `PATCH` takes `name` only).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AccountInput {
    /// 1 to 100 characters, unique among the caller's accounts.
    #[schema(min_length = 1, max_length = 100, example = "Roth IRA")]
    name: String,
    /// ISO 4217, three letters; `USD` when left out.
    #[schema(pattern = r"^[A-Za-z]{3}$", example = "USD")]
    currency: Option<String>,
}

/// A transaction as written: every field for a create or a PUT, those that change for a
/// PATCH. A type takes its own fields only (a field of another type must be left out or
/// `null`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TransactionInput {
    /// One of the caller's accounts; the first one when left out.
    account: Option<i64>,
    /// `BUY`, `SELL`, `DIVIDEND` or `SPLIT`.
    #[schema(
        rename = "type",
        pattern = r"^(BUY|SELL|DIVIDEND|SPLIT)$",
        example = "BUY"
    )]
    kind: String,
    #[schema(pattern = r"^[A-Za-z0-9]{1,10}(\.[A-Za-z]{1,2})?$", example = "VTI")]
    ticker: String,
    /// Not in the future.
    #[schema(example = "2024-03-15")]
    date: NaiveDate,
    /// BUY, SELL: above zero, at most 20 digits before the point and 8 after.
    #[schema(pattern = r"^[0-9]{1,20}(\.[0-9]{1,8})?$", example = "10")]
    quantity: Option<String>,
    /// BUY, SELL: above zero, at most 14 digits before the point and 6 after.
    #[schema(pattern = r"^[0-9]{1,14}(\.[0-9]{1,6})?$", example = "50.25")]
    price: Option<String>,
    /// BUY, SELL: zero or more (the default), at most 14 digits before the point and 6 after.
    #[schema(pattern = r"^[0-9]{1,14}(\.[0-9]{1,6})?$", example = "1.00")]
    fee: Option<String>,
    /// DIVIDEND: the cash received, above zero.
    #[schema(pattern = r"^[0-9]{1,14}(\.[0-9]{1,6})?$", example = "12.40")]
    amount: Option<String>,
    /// SPLIT: new shares per old share, above zero, at most 10 places.
    #[schema(pattern = r"^[0-9]{1,10}(\.[0-9]{1,10})?$", example = "4")]
    ratio: Option<String>,
    /// The account's currency (the default).
    #[schema(pattern = r"^[A-Za-z]{3}$", example = "USD")]
    currency: Option<String>,
    #[schema(max_length = 500)]
    note: Option<String>,
}

/// `POST /api/wallstreet/options/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct OptionInput {
    #[schema(pattern = r"^[A-Za-z0-9]{1,10}(\.[A-Za-z]{1,2})?$", example = "SPY")]
    ticker: String,
    /// The week, by its Sunday.
    #[schema(example = "2026-11-29")]
    sunday: NaiveDate,
    /// Above zero, at most 10 digits before the point and 4 after.
    #[schema(pattern = r"^[0-9]{1,10}(\.[0-9]{1,4})?$", example = "412.50")]
    start_price: Option<String>,
}

/// `POST /api/wallstreet/selections/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SelectionInput {
    /// The id of one of the week's options.
    option: i64,
}

/// `POST /api/wallstreet/weeks/{sunday}/open/` and `.../close/`; an empty body is `{}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WeekStep {
    /// Prices by ticker (above zero, at most 10 digits before the point and 4 after), instead
    /// of asking the market-data source.
    #[schema(example = json!({"SPY": "412.50"}))]
    prices: Option<HashMap<String, String>>,
    /// Close the week before it is over (close only).
    force: Option<bool>,
}

/// `POST /api/watchlist/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WatchInput {
    #[schema(pattern = r"^[A-Za-z0-9]{1,10}(\.[A-Za-z]{1,2})?$", example = "AAPL")]
    ticker: String,
}

/// One leaderboard line: a week's (with `?sunday=`) or the all-time one (without).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum LeaderboardEntry {
    Weekly(WeeklyEntry),
    AllTime(AllTimeEntry),
}
