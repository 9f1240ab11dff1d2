//! The ledger's arithmetic, apart from HTTP and the database: transactions replayed in order
//! into first-in-first-out lots (`lots`), positions per ticker at a price (`positions`), and
//! performance over a range (`performance`, with the money-weighted rate from `xirr`).
//!
//! Everything is exact decimal arithmetic until shown (see `domain::money`), except the
//! internal rate of return, which is solved numerically and shown to hundredths of a percent.
//!
//! **Order.** Transactions apply by date; on one date a SPLIT comes first (it applies to the
//! shares held at the day's start, as on an ex-date), then BUYs, then SELLs, then DIVIDENDs;
//! equal ones by id, which is the order they were entered.

pub mod lots;
pub mod performance;
pub mod positions;
pub mod xirr;

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use crate::domain::money::Overflow;
use crate::domain::TransactionType;

/// Stored closes by symbol, then by date: what the ledger is valued at.
pub type Closes = HashMap<String, BTreeMap<NaiveDate, Decimal>>;

/// One transaction as the ledger sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Trade {
    pub id: i64,
    pub account: i64,
    pub ticker: String,
    pub date: NaiveDate,
    pub event: Event,
    /// The ISO 4217 code its amounts are in.
    pub currency: String,
}

/// What happened, with the type's own fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// `quantity` shares at `price` each, plus `fee`: a lot costing `quantity × price + fee`.
    Buy {
        quantity: Decimal,
        price: Decimal,
        fee: Decimal,
    },
    /// `quantity` shares at `price` each, less `fee`: proceeds of `quantity × price − fee`.
    Sell {
        quantity: Decimal,
        price: Decimal,
        fee: Decimal,
    },
    /// Cash received.
    Dividend { amount: Decimal },
    /// New shares per old share.
    Split { ratio: Decimal },
}

/// The columns a transaction's type fills, `None` for the others (as stored and on the wire).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Figures {
    pub quantity: Option<Decimal>,
    pub price: Option<Decimal>,
    pub fee: Option<Decimal>,
    pub amount: Option<Decimal>,
    pub ratio: Option<Decimal>,
}

impl Event {
    /// The event with every amount (price, fee, dividend) multiplied by `rate`: the same
    /// event in another currency. Quantities and ratios stay.
    pub fn converted(self, rate: Decimal) -> Result<Self, Overflow> {
        let times = |amount: Decimal| amount.checked_mul(rate).ok_or(Overflow);
        Ok(match self {
            Self::Buy {
                quantity,
                price,
                fee,
            } => Self::Buy {
                quantity,
                price: times(price)?,
                fee: times(fee)?,
            },
            Self::Sell {
                quantity,
                price,
                fee,
            } => Self::Sell {
                quantity,
                price: times(price)?,
                fee: times(fee)?,
            },
            Self::Dividend { amount } => Self::Dividend {
                amount: times(amount)?,
            },
            split @ Self::Split { .. } => split,
        })
    }

    pub fn kind(&self) -> TransactionType {
        match self {
            Self::Buy { .. } => TransactionType::Buy,
            Self::Sell { .. } => TransactionType::Sell,
            Self::Dividend { .. } => TransactionType::Dividend,
            Self::Split { .. } => TransactionType::Split,
        }
    }

    pub fn figures(&self) -> Figures {
        match *self {
            Self::Buy {
                quantity,
                price,
                fee,
            }
            | Self::Sell {
                quantity,
                price,
                fee,
            } => Figures {
                quantity: Some(quantity),
                price: Some(price),
                fee: Some(fee),
                ..Figures::default()
            },
            Self::Dividend { amount } => Figures {
                amount: Some(amount),
                ..Figures::default()
            },
            Self::Split { ratio } => Figures {
                ratio: Some(ratio),
                ..Figures::default()
            },
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Self::Split { .. } => 0,
            Self::Buy { .. } => 1,
            Self::Sell { .. } => 2,
            Self::Dividend { .. } => 3,
        }
    }
}

/// The money a transaction moves: in (a BUY's cost) and out (a SELL's proceeds, a dividend).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Flow {
    pub money_in: Decimal,
    pub money_out: Decimal,
}

impl Trade {
    /// The ledger's order: date, then SPLIT, BUY, SELL, DIVIDEND, then id.
    pub fn order_key(&self) -> (NaiveDate, u8, i64) {
        (self.date, self.event.rank(), self.id)
    }

    pub fn flow(&self) -> Result<Flow, Overflow> {
        Ok(match self.event {
            Event::Buy {
                quantity,
                price,
                fee,
            } => Flow {
                money_in: gross(quantity, price)?.checked_add(fee).ok_or(Overflow)?,
                money_out: Decimal::ZERO,
            },
            Event::Sell {
                quantity,
                price,
                fee,
            } => Flow {
                money_in: Decimal::ZERO,
                money_out: gross(quantity, price)?.checked_sub(fee).ok_or(Overflow)?,
            },
            Event::Dividend { amount } => Flow {
                money_in: Decimal::ZERO,
                money_out: amount,
            },
            Event::Split { .. } => Flow::default(),
        })
    }

    /// The price the trade was made at, if it is a BUY or a SELL.
    pub fn trade_price(&self) -> Option<Decimal> {
        match self.event {
            Event::Buy { price, .. } | Event::Sell { price, .. } => Some(price),
            _ => None,
        }
    }
}

fn gross(quantity: Decimal, price: Decimal) -> Result<Decimal, Overflow> {
    quantity.checked_mul(price).ok_or(Overflow)
}

/// Sorts `trades` into the ledger's order.
pub fn sort(trades: &mut [Trade]) {
    trades.sort_by_key(Trade::order_key);
}

#[cfg(test)]
pub(crate) mod test_ledgers {
    //! Hand-made transactions for the engine's tests.
    use super::*;

    pub fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    pub fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    pub fn buy(id: i64, date: &str, ticker: &str, quantity: &str, price: &str, fee: &str) -> Trade {
        trade(
            id,
            date,
            ticker,
            Event::Buy {
                quantity: d(quantity),
                price: d(price),
                fee: d(fee),
            },
        )
    }

    pub fn sell(
        id: i64,
        date: &str,
        ticker: &str,
        quantity: &str,
        price: &str,
        fee: &str,
    ) -> Trade {
        trade(
            id,
            date,
            ticker,
            Event::Sell {
                quantity: d(quantity),
                price: d(price),
                fee: d(fee),
            },
        )
    }

    pub fn dividend(id: i64, date: &str, ticker: &str, amount: &str) -> Trade {
        trade(id, date, ticker, Event::Dividend { amount: d(amount) })
    }

    pub fn split(id: i64, date: &str, ticker: &str, ratio: &str) -> Trade {
        trade(id, date, ticker, Event::Split { ratio: d(ratio) })
    }

    pub fn trade(id: i64, date: &str, ticker: &str, event: Event) -> Trade {
        Trade {
            id,
            account: 1,
            ticker: ticker.into(),
            date: day(date),
            event,
            currency: "USD".into(),
        }
    }

    /// `../shared/ledger-example.md`: one account, XYZ bought, partly sold, a dividend.
    pub fn worked_example() -> Vec<Trade> {
        vec![
            buy(1, "2024-01-02", "XYZ", "10", "50.00", "2.00"),
            sell(2, "2024-07-01", "XYZ", "4", "58.00", "1.00"),
            dividend(3, "2024-10-01", "XYZ", "1.20"),
        ]
    }
}

#[cfg(test)]
mod properties;
