//! The ledger on the wire: accounts, transactions (exact decimals as strings, without
//! needless trailing zeros; `null` for the fields a type does not take), and the reports made
//! from them: positions, realized lots and performance (money to cents, percents to
//! hundredths, both half to even).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::money::cents;
use crate::fx::convert::listing_currency;
use crate::ledger::lots::{RealizedLot, Term};
use crate::ledger::performance::Performance;
use crate::ledger::positions::{Position, Totals};
use crate::models::account::Account;
use crate::models::transaction::{Malformed, TransactionRow};
use crate::portfolio::in_currency::Effects;
use crate::prices::QuoteSource;

/// A brokerage account the caller keeps transactions in (not the login account of
/// `/api/users/me/`).
#[derive(Debug, Serialize, ToSchema)]
pub struct BrokerageAccountView {
    pub id: i64,
    #[schema(example = "Main")]
    pub name: String,
    /// ISO 4217.
    #[schema(example = "USD")]
    pub currency: String,
}

impl From<Account> for BrokerageAccountView {
    fn from(account: Account) -> Self {
        Self {
            id: account.id,
            name: account.name,
            currency: account.currency,
        }
    }
}

/// An exact decimal as text, without trailing zeros: `"10"`, `"0.1"`.
fn exact(value: Decimal) -> String {
    value.normalize().to_string()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionView {
    pub id: i64,
    /// The account's id.
    pub account: i64,
    /// `BUY`, `SELL`, `DIVIDEND` or `SPLIT`.
    #[schema(rename = "type", example = "BUY")]
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[schema(example = "VTI")]
    pub ticker: String,
    pub date: NaiveDate,
    /// BUY and SELL: shares.
    #[schema(example = "10")]
    pub quantity: Option<String>,
    /// BUY and SELL: the price of one share.
    #[schema(example = "50.25")]
    pub price: Option<String>,
    /// BUY and SELL: the broker's fee (part of a buy's cost, off a sale's proceeds).
    #[schema(example = "0")]
    pub fee: Option<String>,
    /// DIVIDEND: the cash received.
    pub amount: Option<String>,
    /// SPLIT: new shares per old share (`"4"` for 4-for-1, `"0.1"` for 1-for-10).
    pub ratio: Option<String>,
    #[schema(example = "USD")]
    pub currency: String,
    pub note: Option<String>,
}

impl TryFrom<TransactionRow> for TransactionView {
    type Error = Malformed;

    fn try_from(row: TransactionRow) -> Result<Self, Malformed> {
        let event = row.event()?;
        let figures = event.figures();
        let exact = |value: Option<Decimal>| value.map(exact);
        Ok(Self {
            id: row.id,
            account: row.account_id,
            kind: event.kind().as_str(),
            ticker: row.ticker,
            date: row.date,
            quantity: exact(figures.quantity),
            price: exact(figures.price),
            fee: exact(figures.fee),
            amount: exact(figures.amount),
            ratio: exact(figures.ratio),
            currency: row.currency,
            note: row.note,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PositionView {
    pub ticker: String,
    /// The ISO 4217 code the ticker is listed (and quoted) in.
    #[schema(example = "EUR")]
    pub currency: String,
    /// Shares held (`"0"` when sold out).
    pub quantity: String,
    /// What the shares held cost, fees included.
    pub cost: String,
    /// `null` when nothing is held.
    pub average_cost: Option<String>,
    /// The latest price; `null` when none is known (then so are the market figures).
    pub price: Option<String>,
    /// Where the price comes from: `finnhub`, or `close` without FINNHUB_TOKEN.
    pub price_source: Option<QuoteSource>,
    /// The day the price is of.
    #[schema(value_type = Option<String>, format = Date)]
    pub price_as_of: Option<NaiveDate>,
    pub market_value: Option<String>,
    pub unrealized_gain: Option<String>,
    pub realized_gain: String,
    pub dividends: String,
    /// For a position listed in another currency than the report's: its figures in its own
    /// currency (`currency`); `null` otherwise.
    pub own: Option<OwnCurrencyView>,
    /// The part of `unrealized_gain` the price made: the gain in the position's own currency
    /// at today's rate. `null` for a position in the report's currency, or without a price.
    pub price_effect: Option<String>,
    /// The part of `unrealized_gain` the exchange rate made since each purchase:
    /// `unrealized_gain − price_effect`. `null` as `price_effect` is.
    pub currency_effect: Option<String>,
}

/// A foreign position in its own currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnCurrencyView {
    pub cost: String,
    pub price: Option<String>,
    pub market_value: Option<String>,
    pub unrealized_gain: Option<String>,
    /// What 1 of the position's currency was worth in the report's at the price's day.
    pub rate: Option<String>,
}

impl OwnCurrencyView {
    pub fn new(own: &Position, rate: Option<Decimal>) -> Self {
        Self {
            cost: cents(own.cost),
            price: own.price.map(exact),
            market_value: own.market_value.map(cents),
            unrealized_gain: own.unrealized_gain.map(cents),
            rate: rate.map(exact),
        }
    }
}

impl From<Position> for PositionView {
    fn from(position: Position) -> Self {
        Self {
            currency: listing_currency(&position.ticker).to_owned(),
            own: None,
            price_effect: None,
            currency_effect: None,
            ticker: position.ticker,
            quantity: exact(position.quantity),
            cost: cents(position.cost),
            average_cost: position.average_cost.map(|each| {
                exact(
                    each.round_dp_with_strategy(
                        6,
                        rust_decimal::RoundingStrategy::MidpointNearestEven,
                    ),
                )
            }),
            price: position.price.map(exact),
            price_source: None,
            price_as_of: None,
            market_value: position.market_value.map(cents),
            unrealized_gain: position.unrealized_gain.map(cents),
            realized_gain: cents(position.realized_gain),
            dividends: cents(position.dividends),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PositionTotalsView {
    pub cost: String,
    /// Over the priced positions; `null` when none is priced.
    pub market_value: Option<String>,
    pub unrealized_gain: Option<String>,
    pub realized_gain: String,
    pub dividends: String,
    /// Positions held without a price, left out of the market figures.
    pub unpriced: usize,
    /// The foreign positions' currency effects, summed (the rest of `unrealized_gain` is the
    /// prices'); `null` as `unrealized_gain` is.
    pub currency_effect: Option<String>,
}

impl From<Totals> for PositionTotalsView {
    fn from(totals: Totals) -> Self {
        Self {
            cost: cents(totals.cost),
            market_value: totals.market_value.map(cents),
            unrealized_gain: totals.unrealized_gain.map(cents),
            realized_gain: cents(totals.realized_gain),
            dividends: cents(totals.dividends),
            unpriced: totals.unpriced,
            currency_effect: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PositionsView {
    /// The ISO 4217 code every figure but a position's `own` is in.
    #[schema(example = "USD")]
    pub currency: String,
    pub positions: Vec<PositionView>,
    pub totals: PositionTotalsView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RealizedLotView {
    pub ticker: String,
    pub quantity: String,
    pub bought: NaiveDate,
    pub sold: NaiveDate,
    pub cost: String,
    pub proceeds: String,
    pub gain: String,
    /// `short` (held a year or less) or `long`.
    #[schema(example = "short")]
    pub term: &'static str,
    /// The ISO 4217 code the ticker is listed in.
    pub currency: String,
    /// For a lot listed in another currency than the report's: the part of `gain` the price
    /// made (the gain in its own currency at the sale day's rate); `null` otherwise.
    pub price_effect: Option<String>,
    /// The rest of `gain`: what the exchange rate's move from purchase to sale made.
    pub currency_effect: Option<String>,
}

impl RealizedLotView {
    fn new(lot: &RealizedLot, effects: Option<Effects>) -> Self {
        Self {
            currency: listing_currency(&lot.ticker).to_owned(),
            price_effect: effects.map(|effects| cents(effects.price)),
            currency_effect: effects.map(|effects| cents(effects.currency)),
            ticker: lot.ticker.clone(),
            quantity: exact(lot.quantity),
            bought: lot.bought,
            sold: lot.sold,
            cost: cents(lot.cost),
            proceeds: cents(lot.proceeds),
            gain: cents(lot.gain()),
            term: lot.term().as_str(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RealizedTotalsView {
    pub cost: String,
    pub proceeds: String,
    pub gain: String,
    pub short_term_gain: String,
    pub long_term_gain: String,
    /// The foreign lots' currency effects, summed.
    pub currency_effect: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RealizedView {
    /// The ISO 4217 code the figures are in.
    #[schema(example = "USD")]
    pub currency: String,
    pub lots: Vec<RealizedLotView>,
    pub totals: RealizedTotalsView,
}

impl RealizedView {
    /// `lots` (with their effects, if foreign) in the order they were sold; totals summed
    /// exactly, then rounded.
    pub fn new(currency: String, lots: &[(&RealizedLot, Option<Effects>)]) -> Self {
        let sum =
            |pick: &dyn Fn(&RealizedLot) -> Decimal| lots.iter().map(|(lot, _)| pick(lot)).sum();
        let term_gain = |term: Term| {
            lots.iter()
                .filter(|(lot, _)| lot.term() == term)
                .map(|(lot, _)| lot.gain())
                .sum()
        };
        Self {
            currency,
            lots: lots
                .iter()
                .map(|(lot, effects)| RealizedLotView::new(lot, *effects))
                .collect(),
            totals: RealizedTotalsView {
                cost: cents(sum(&|lot| lot.cost)),
                proceeds: cents(sum(&|lot| lot.proceeds)),
                gain: cents(sum(&|lot| lot.gain())),
                short_term_gain: cents(term_gain(Term::Short)),
                long_term_gain: cents(term_gain(Term::Long)),
                currency_effect: cents(
                    lots.iter()
                        .filter_map(|(_, effects)| effects.map(|e| e.currency))
                        .sum(),
                ),
            },
        }
    }
}

/// A fraction as a percent with two places: `0.197578` is `"19.76"`.
pub fn percent(fraction: Decimal) -> String {
    cents(fraction * Decimal::ONE_HUNDRED)
}

fn percent_f64(fraction: f64) -> Option<String> {
    Decimal::try_from(fraction * 100.0).ok().map(cents)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BenchmarkView {
    pub ticker: String,
    /// Percent; `null` without its closes.
    pub twr: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PerformancePointView {
    pub date: NaiveDate,
    pub value: String,
    /// Percent, from `from` to this day.
    pub twr: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceView {
    /// The ISO 4217 code values and flows are in.
    #[schema(example = "USD")]
    pub currency: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// At the close before `from`.
    pub start_value: String,
    pub end_value: String,
    /// Money in over the range (buys, fees included).
    pub invested: String,
    /// Money out over the range (sales' proceeds after fees, dividends).
    pub withdrawn: String,
    /// Time-weighted return, percent; `null` when nothing was invested over the range.
    #[schema(example = "19.76")]
    pub twr: Option<String>,
    /// Money-weighted return (annualised internal rate of return), percent; `null` when the
    /// flows have none.
    #[schema(example = "23.11")]
    pub mwr: Option<String>,
    pub benchmark: BenchmarkView,
    pub points: Vec<PerformancePointView>,
}

impl PerformanceView {
    pub fn new(
        currency: String,
        (from, to): (NaiveDate, NaiveDate),
        benchmark: String,
        measured: Performance,
    ) -> Self {
        Self {
            currency,
            from,
            to,
            start_value: cents(measured.start_value),
            end_value: cents(measured.end_value),
            invested: cents(measured.invested),
            withdrawn: cents(measured.withdrawn),
            twr: measured.twr.map(percent),
            mwr: measured.mwr.and_then(percent_f64),
            benchmark: BenchmarkView {
                ticker: benchmark,
                twr: measured.benchmark_twr.map(percent),
            },
            points: measured
                .points
                .into_iter()
                .map(|point| PerformancePointView {
                    date: point.date,
                    value: cents(point.value),
                    twr: point.twr.map(percent),
                })
                .collect(),
        }
    }
}
