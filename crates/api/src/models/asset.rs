use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::assets;
use crate::db::sql_types::DbDecimal;
use crate::db::DbConn;
use crate::domain::{BuyDate, CostBasis, Shares, Ticker};
use crate::with_conn;

/// A holding as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = assets)]
pub struct Asset {
    pub id: i64,
    pub user_id: i64,
    pub ticker: String,
    pub shares: DbDecimal,
    pub costbasis: DbDecimal,
    pub buy: NaiveDate,
}

/// A holding about to be created.
#[derive(Debug)]
pub struct NewAsset {
    pub user_id: i64,
    pub ticker: Ticker,
    pub shares: Shares,
    pub costbasis: CostBasis,
    pub buy: BuyDate,
}

/// The columns every holding has, whether created here or imported.
#[derive(Insertable)]
#[diesel(table_name = assets)]
pub(super) struct NewAssetRow<'a> {
    user_id: i64,
    ticker: &'a str,
    shares: DbDecimal,
    costbasis: DbDecimal,
    buy: NaiveDate,
}

impl<'a> NewAssetRow<'a> {
    pub(super) fn new(
        user_id: i64,
        ticker: &'a Ticker,
        shares: Shares,
        costbasis: CostBasis,
        buy: BuyDate,
    ) -> Self {
        Self {
            user_id,
            ticker: ticker.as_str(),
            shares: DbDecimal(shares.value()),
            costbasis: DbDecimal(costbasis.value()),
            buy: buy.into_inner(),
        }
    }
}

/// The fields a PATCH or PUT sets; `None` leaves a column as it is.
#[derive(Debug, Default)]
pub struct AssetChanges {
    pub ticker: Option<Ticker>,
    pub shares: Option<Shares>,
    pub costbasis: Option<CostBasis>,
    pub buy: Option<BuyDate>,
}

#[derive(AsChangeset)]
#[diesel(table_name = assets)]
struct AssetChangesRow<'a> {
    ticker: Option<&'a str>,
    shares: Option<DbDecimal>,
    costbasis: Option<DbDecimal>,
    buy: Option<NaiveDate>,
}

impl AssetChanges {
    fn is_empty(&self) -> bool {
        self.ticker.is_none()
            && self.shares.is_none()
            && self.costbasis.is_none()
            && self.buy.is_none()
    }

    fn row(&self) -> AssetChangesRow<'_> {
        AssetChangesRow {
            ticker: self.ticker.as_ref().map(Ticker::as_str),
            shares: self.shares.map(|s| DbDecimal(s.value())),
            costbasis: self.costbasis.map(|c| DbDecimal(c.value())),
            buy: self.buy.map(BuyDate::into_inner),
        }
    }
}

pub fn list_for(conn: &mut DbConn, owner: i64) -> QueryResult<Vec<Asset>> {
    with_conn!(conn, |c| assets::table
        .filter(assets::user_id.eq(owner))
        .order(assets::id)
        .select(Asset::as_select())
        .load(c))
}

pub fn find_for(conn: &mut DbConn, owner: i64, id: i64) -> QueryResult<Option<Asset>> {
    with_conn!(conn, |c| assets::table
        .filter(assets::id.eq(id).and(assets::user_id.eq(owner)))
        .select(Asset::as_select())
        .first(c)
        .optional())
}

pub fn create(conn: &mut DbConn, new: &NewAsset) -> QueryResult<Asset> {
    let row = NewAssetRow::new(new.user_id, &new.ticker, new.shares, new.costbasis, new.buy);
    with_conn!(conn, |c| diesel::insert_into(assets::table)
        .values(&row)
        .returning(Asset::as_returning())
        .get_result(c))
}

/// Applies `changes` to the owner's holding; `None` when the owner has no such holding.
pub fn update_for(
    conn: &mut DbConn,
    owner: i64,
    id: i64,
    changes: &AssetChanges,
) -> QueryResult<Option<Asset>> {
    if changes.is_empty() {
        return find_for(conn, owner, id);
    }
    let row = changes.row();
    with_conn!(conn, |c| diesel::update(
        assets::table.filter(assets::id.eq(id).and(assets::user_id.eq(owner)))
    )
    .set(&row)
    .returning(Asset::as_returning())
    .get_result(c)
    .optional())
}

/// Deletes the owner's holding; `false` when the owner has no such holding.
pub fn delete_for(conn: &mut DbConn, owner: i64, id: i64) -> QueryResult<bool> {
    let deleted = with_conn!(conn, |c| diesel::delete(
        assets::table.filter(assets::id.eq(id).and(assets::user_id.eq(owner)))
    )
    .execute(c))?;
    Ok(deleted > 0)
}
