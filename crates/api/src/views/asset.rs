use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::models::asset::Asset;

/// A holding on the wire: decimals as strings at their column scale, the date as `YYYY-MM-DD`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetView {
    pub id: i64,
    pub ticker: String,
    /// At least 5 places, as the old column (up to 8 when the ledger holds more): `"10.50000"`.
    #[schema(pattern = r"^[0-9]{1,20}\.[0-9]{5,8}$", example = "10.50000")]
    pub shares: String,
    /// At least 2 places, as the old column (up to 6 when the ledger holds more): `"189.98"`.
    #[schema(pattern = r"^[0-9]{1,14}\.[0-9]{2,6}$", example = "189.98")]
    pub costbasis: String,
    pub buy: NaiveDate,
    /// The owner's id.
    pub user: i64,
}

impl From<Asset> for AssetView {
    fn from(asset: Asset) -> Self {
        Self {
            id: asset.id,
            ticker: asset.ticker,
            shares: asset.shares.0.to_string(),
            costbasis: asset.costbasis.0.to_string(),
            buy: asset.buy,
            user: asset.user_id,
        }
    }
}
