use chrono::NaiveDate;
use serde::Serialize;

use crate::models::asset::Asset;

/// A holding on the wire: decimals as strings at their column scale, the date as `YYYY-MM-DD`.
#[derive(Debug, Serialize)]
pub struct AssetView {
    pub id: i64,
    pub ticker: String,
    pub shares: String,
    pub costbasis: String,
    pub buy: NaiveDate,
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
