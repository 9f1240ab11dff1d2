use serde::Serialize;
use utoipa::ToSchema;

use crate::models::user::User;

/// A registered account as its owner sees it; never the password hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub email: String,
}

/// `GET /api/users/me/`: the caller's own account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub is_staff: bool,
    /// UTC, as DRF writes a `DateTimeField`: `2026-12-01T09:30:00.000000Z`.
    pub date_joined: String,
    /// The ISO 4217 code positions, realized gains and performance are reported in.
    #[schema(example = "EUR")]
    pub base_currency: String,
}

impl From<User> for AccountView {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            username: user.username,
            email: user.email,
            is_staff: user.is_staff,
            date_joined: user
                .date_joined
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string(),
            base_currency: user.base_currency,
        }
    }
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            username: user.username,
            email: user.email,
        }
    }
}
