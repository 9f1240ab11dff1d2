//! The portfolio's figures on the wire: money as strings rounded half-even to cents, percents
//! to hundredths, exact decimals (shares, cost basis, prices) as stored or quoted, `null`
//! where unknown.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::money::{at_least, cents};
use crate::portfolio::history::Point;
use crate::portfolio::valuation::{AllocationBasis, HoldingValue, Slice, Totals, Valuation};

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldingFigures {
    pub id: i64,
    pub ticker: String,
    pub shares: String,
    pub costbasis: String,
    pub buy: NaiveDate,
    pub cost: String,
    pub price: Option<String>,
    pub market_value: Option<String>,
    pub gain: Option<String>,
    pub gain_percent: Option<String>,
    pub day_change: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsView {
    pub cost: String,
    pub market_value: Option<String>,
    pub gain: Option<String>,
    pub gain_percent: Option<String>,
    pub day_change: Option<String>,
    /// Holdings without a price, left out of the market figures.
    pub unpriced: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SliceView {
    pub ticker: String,
    pub shares: String,
    pub value: String,
    pub percent: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryView {
    /// The ISO 4217 code the figures are in (the caller's base currency, or `currency`).
    #[schema(example = "USD")]
    pub currency: String,
    pub holdings: Vec<HoldingFigures>,
    pub totals: TotalsView,
    /// `market_value` (over the priced holdings) or `cost` (when none is priced).
    #[schema(value_type = String, example = "market_value")]
    pub allocation_basis: &'static str,
    pub allocation: Vec<SliceView>,
}

impl From<HoldingValue> for HoldingFigures {
    fn from(holding: HoldingValue) -> Self {
        let lot = holding.lot;
        Self {
            id: lot.id,
            ticker: lot.ticker,
            shares: at_least(lot.shares, 5).to_string(),
            costbasis: per_share(lot.cost, lot.shares),
            buy: lot.buy,
            cost: cents(holding.cost),
            price: holding.price.map(|p| p.to_string()),
            market_value: holding.market_value.map(cents),
            gain: holding.gain.map(cents),
            gain_percent: holding.gain_percent.map(cents),
            day_change: holding.day_change.map(cents),
        }
    }
}

/// What one share of a lot cost, fee included, to six places at most (at least two).
fn per_share(cost: Decimal, shares: Decimal) -> String {
    match cost.checked_div(shares) {
        Some(each) => at_least(
            each.round_dp_with_strategy(6, rust_decimal::RoundingStrategy::MidpointNearestEven),
            2,
        )
        .to_string(),
        None => "0.00".to_owned(),
    }
}

impl From<Totals> for TotalsView {
    fn from(totals: Totals) -> Self {
        Self {
            cost: cents(totals.cost),
            market_value: totals.market_value.map(cents),
            gain: totals.gain.map(cents),
            gain_percent: totals.gain_percent.map(cents),
            day_change: totals.day_change.map(cents),
            unpriced: totals.unpriced,
        }
    }
}

impl From<Slice> for SliceView {
    fn from(slice: Slice) -> Self {
        Self {
            ticker: slice.ticker,
            shares: slice.shares.normalize().to_string(),
            value: cents(slice.value),
            percent: slice.percent.map(cents),
        }
    }
}

impl SummaryView {
    pub fn new(currency: String, valuation: Valuation) -> Self {
        Self {
            currency,
            holdings: valuation.holdings.into_iter().map(Into::into).collect(),
            totals: valuation.totals.into(),
            allocation_basis: match valuation.allocation_basis {
                AllocationBasis::MarketValue => "market_value",
                AllocationBasis::Cost => "cost",
            },
            allocation: valuation.allocation.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PointView {
    pub date: NaiveDate,
    pub value: Option<String>,
    pub invested: String,
    pub benchmark_value: Option<String>,
}

impl From<Point> for PointView {
    fn from(point: Point) -> Self {
        Self {
            date: point.date,
            value: point.value.map(cents),
            invested: cents(point.invested),
            benchmark_value: point.benchmark_value.map(cents),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryView {
    /// The ISO 4217 code the values are in.
    #[schema(example = "USD")]
    pub currency: String,
    pub range: String,
    pub benchmark: String,
    pub points: Vec<PointView>,
}

/// One problem of an import, by row (the header is row 1) and field.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportErrorView {
    pub row: usize,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub skipped: usize,
    pub errors: Vec<ImportErrorView>,
}
