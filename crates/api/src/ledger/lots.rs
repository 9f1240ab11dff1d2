//! First in, first out: each BUY opens a lot costing `quantity × price + fee`; each SELL takes
//! shares from the account's oldest open lots of its ticker, each piece carrying its share of
//! the lot's cost and of the sale's proceeds (`quantity × price − fee`); a SPLIT multiplies the
//! quantities of the account's open lots of its ticker and keeps their cost; a DIVIDEND adds
//! to the ticker's dividends. Lots never cross accounts.
//!
//! A piece of a lot costs `cost × piece / quantity`, rounded to 12 decimal places (far below
//! any cent shown, and short enough that sums of many pieces never run out of digits); what
//! stays in the lot is the rest, so the pieces and the lot left always add up to the lot's
//! cost exactly. Proceeds are shared the same way, the last piece taking what is left.

use std::collections::{BTreeMap, VecDeque};

use chrono::{Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use super::{Event, Overflow, Trade};

/// Shares still held from one BUY.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenLot {
    pub buy_id: i64,
    pub bought: NaiveDate,
    pub quantity: Decimal,
    pub cost: Decimal,
}

/// Short term (held a year or less) or long term (held more than a year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    Short,
    Long,
}

impl Term {
    /// Long when the sale is more than a year after the purchase (a lot bought on 2023-03-01 is
    /// long term from 2024-03-02 on).
    pub fn of(bought: NaiveDate, sold: NaiveDate) -> Self {
        match bought.checked_add_months(Months::new(12)) {
            Some(anniversary) if sold > anniversary => Self::Long,
            _ => Self::Short,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Short => "short",
            Self::Long => "long",
        }
    }
}

/// A piece of a lot that a SELL closed.
#[derive(Debug, Clone, PartialEq)]
pub struct RealizedLot {
    pub account: i64,
    pub ticker: String,
    pub buy_id: i64,
    pub sell_id: i64,
    pub quantity: Decimal,
    pub bought: NaiveDate,
    pub sold: NaiveDate,
    pub cost: Decimal,
    pub proceeds: Decimal,
}

impl RealizedLot {
    pub fn gain(&self) -> Decimal {
        self.proceeds - self.cost
    }

    pub fn term(&self) -> Term {
        Term::of(self.bought, self.sold)
    }
}

/// A SELL of more than its account held of its ticker on its date.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("sale {sell_id} of {wanted} {ticker} on {date} exceeds the {held} held")]
pub struct Short {
    pub sell_id: i64,
    pub account: i64,
    pub ticker: String,
    pub date: NaiveDate,
    pub held: Decimal,
    pub wanted: Decimal,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Short(Short),
    #[error(transparent)]
    Overflow(#[from] Overflow),
}

/// (account, ticker): where lots live.
pub type Holding = (i64, String);

/// Every lot after a ledger's transactions, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Book {
    pub open: BTreeMap<Holding, VecDeque<OpenLot>>,
    pub realized: Vec<RealizedLot>,
    pub dividends: BTreeMap<Holding, Decimal>,
}

impl Book {
    /// Replays `trades`, which must be in the ledger's order (see [`super::sort`]).
    pub fn replay<'a>(trades: impl IntoIterator<Item = &'a Trade>) -> Result<Self, LedgerError> {
        let mut book = Self::default();
        for trade in trades {
            book.apply(trade)?;
        }
        Ok(book)
    }

    /// How many shares of `ticker` `account` holds now.
    pub fn held(&self, account: i64, ticker: &str) -> Decimal {
        self.open
            .get(&(account, ticker.to_owned()))
            .map_or(Decimal::ZERO, |lots| {
                lots.iter().map(|lot| lot.quantity).sum()
            })
    }

    pub fn apply(&mut self, trade: &Trade) -> Result<(), LedgerError> {
        let key = (trade.account, trade.ticker.clone());
        match trade.event {
            Event::Buy { .. } => {
                let cost = trade.flow()?.money_in;
                let Event::Buy { quantity, .. } = trade.event else {
                    unreachable!("matched above")
                };
                self.open.entry(key).or_default().push_back(OpenLot {
                    buy_id: trade.id,
                    bought: trade.date,
                    quantity,
                    cost,
                });
            }
            Event::Sell { quantity, .. } => {
                let proceeds = trade.flow()?.money_out;
                self.sell(trade, key, quantity, proceeds)?;
            }
            Event::Dividend { amount } => {
                let total = self.dividends.entry(key).or_default();
                *total = total.checked_add(amount).ok_or(Overflow)?;
            }
            Event::Split { ratio } => {
                for lot in self.open.entry(key).or_default() {
                    lot.quantity = lot.quantity.checked_mul(ratio).ok_or(Overflow)?;
                }
            }
        }
        Ok(())
    }

    fn sell(
        &mut self,
        trade: &Trade,
        key: Holding,
        quantity: Decimal,
        proceeds: Decimal,
    ) -> Result<(), LedgerError> {
        let held = self.held(key.0, &key.1);
        if quantity > held {
            return Err(LedgerError::Short(Short {
                sell_id: trade.id,
                account: key.0,
                ticker: key.1,
                date: trade.date,
                held,
                wanted: quantity,
            }));
        }
        let lots = self.open.entry(key.clone()).or_default();
        let mut left = quantity;
        let mut proceeds_left = proceeds;
        while left > Decimal::ZERO {
            let lot = lots.front_mut().expect("the holding covers the sale");
            let piece = left.min(lot.quantity);
            let whole_lot = piece == lot.quantity;
            let cost = if whole_lot {
                lot.cost
            } else {
                share(lot.cost, piece, lot.quantity)?
            };
            left -= piece;
            let piece_proceeds = if left.is_zero() {
                proceeds_left
            } else {
                share(proceeds, piece, quantity)?
            };
            proceeds_left -= piece_proceeds;
            self.realized.push(RealizedLot {
                account: key.0,
                ticker: key.1.clone(),
                buy_id: lot.buy_id,
                sell_id: trade.id,
                quantity: piece,
                bought: lot.bought,
                sold: trade.date,
                cost,
                proceeds: piece_proceeds,
            });
            if whole_lot {
                lots.pop_front();
            } else {
                lot.quantity -= piece;
                lot.cost -= cost;
            }
        }
        // A lot of zero shares (an old client's holding of "0") is nothing to keep.
        while lots.front().is_some_and(|lot| lot.quantity.is_zero()) {
            lots.pop_front();
        }
        Ok(())
    }
}

/// Places a piece's share of a cost or of proceeds is rounded to.
const SHARE_PLACES: u32 = 12;

/// `whole × part / of` to [`SHARE_PLACES`], multiplied first so it is exact wherever the
/// quotient terminates within them.
fn share(whole: Decimal, part: Decimal, of: Decimal) -> Result<Decimal, Overflow> {
    whole
        .checked_mul(part)
        .and_then(|product| product.checked_div(of))
        .map(|quotient| {
            quotient.round_dp_with_strategy(SHARE_PLACES, RoundingStrategy::MidpointNearestEven)
        })
        .ok_or(Overflow)
}

#[cfg(test)]
mod tests {
    use super::super::test_ledgers::*;
    use super::*;

    fn replay(trades: &[Trade]) -> Book {
        Book::replay(trades).unwrap()
    }

    #[test]
    fn the_worked_example_realizes_one_short_term_lot() {
        let book = replay(&worked_example());
        assert_eq!(book.realized.len(), 1);
        let lot = &book.realized[0];
        assert_eq!(lot.quantity, d("4"));
        assert_eq!(
            (lot.bought, lot.sold),
            (day("2024-01-02"), day("2024-07-01"))
        );
        assert_eq!(lot.cost, d("200.80"));
        assert_eq!(lot.proceeds, d("231.00"));
        assert_eq!(lot.gain(), d("30.20"));
        assert_eq!(lot.term(), Term::Short);
        let open = &book.open[&(1, "XYZ".into())];
        assert_eq!(open.len(), 1);
        assert_eq!((open[0].quantity, open[0].cost), (d("6"), d("301.20")));
        assert_eq!(book.dividends[&(1, "XYZ".into())], d("1.20"));
    }

    #[test]
    fn a_sale_takes_the_oldest_lots_first_across_several() {
        let book = replay(&[
            buy(1, "2022-01-03", "AAA", "5", "10", "1"),
            buy(2, "2023-06-01", "AAA", "5", "20", "0"),
            sell(3, "2023-07-03", "AAA", "7", "30", "2.10"),
        ]);
        let [first, second] = &book.realized[..] else {
            panic!("two pieces: {:?}", book.realized)
        };
        assert_eq!(
            (first.buy_id, first.quantity, first.cost),
            (1, d("5"), d("51"))
        );
        assert_eq!(first.term(), Term::Long);
        assert_eq!(
            (second.buy_id, second.quantity, second.cost),
            (2, d("2"), d("40"))
        );
        assert_eq!(second.term(), Term::Short);
        assert_eq!(
            first.proceeds + second.proceeds,
            d("207.90"),
            "7 × 30 − 2.10"
        );
        assert_eq!(first.proceeds, d("148.5"), "five sevenths of 207.90");
        let open = &book.open[&(1, "AAA".into())];
        assert_eq!((open[0].quantity, open[0].cost), (d("3"), d("60")));
    }

    #[test]
    fn a_split_scales_open_lots_and_keeps_their_cost() {
        let book = replay(&[
            buy(1, "2024-01-02", "NVDA", "3", "500", "0"),
            sell(2, "2024-02-01", "NVDA", "1", "600", "0"),
            split(3, "2024-06-10", "NVDA", "10"),
            sell(4, "2024-06-10", "NVDA", "5", "120", "0"),
        ]);
        let open = &book.open[&(1, "NVDA".into())];
        assert_eq!((open[0].quantity, open[0].cost), (d("15"), d("750")));
        assert_eq!(book.realized[1].quantity, d("5"));
        assert_eq!(
            book.realized[1].cost,
            d("250"),
            "a quarter of the 20 shares' 1000"
        );
        let reverse = replay(&[
            buy(1, "2024-01-02", "X", "30", "1", "0"),
            split(2, "2024-03-01", "X", "0.1"),
        ]);
        assert_eq!(reverse.held(1, "X"), d("3"));
    }

    #[test]
    fn a_sale_beyond_the_holding_is_short_and_names_what_was_held() {
        let err = Book::replay(&[
            buy(1, "2024-01-02", "AAA", "2", "10", "0"),
            sell(2, "2024-01-03", "AAA", "2.5", "10", "0"),
        ])
        .unwrap_err();
        let LedgerError::Short(short) = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            (short.sell_id, short.held, short.wanted),
            (2, d("2"), d("2.5"))
        );
    }

    #[test]
    fn lots_never_cross_accounts() {
        let mut other = buy(2, "2024-01-02", "AAA", "5", "10", "0");
        other.account = 2;
        let trades = [
            buy(1, "2024-01-02", "AAA", "1", "10", "0"),
            other,
            sell(3, "2024-01-03", "AAA", "2", "10", "0"),
        ];
        assert!(matches!(
            Book::replay(&trades),
            Err(LedgerError::Short(Short { account: 1, .. }))
        ));
    }

    #[test]
    fn a_full_sale_then_a_rebuy_starts_a_new_lot() {
        let book = replay(&[
            buy(1, "2024-01-02", "AAA", "2", "10", "1"),
            sell(2, "2024-02-01", "AAA", "2", "12", "1"),
            buy(3, "2024-03-01", "AAA", "1", "9", "0"),
        ]);
        assert_eq!(book.realized[0].gain(), d("2"), "23 − 21");
        let open = &book.open[&(1, "AAA".into())];
        assert_eq!((open.len(), open[0].buy_id, open[0].cost), (1, 3, d("9")));
    }

    #[test]
    fn a_year_and_a_day_is_long_term() {
        assert_eq!(Term::of(day("2023-03-01"), day("2024-03-01")), Term::Short);
        assert_eq!(Term::of(day("2023-03-01"), day("2024-03-02")), Term::Long);
        assert_eq!(Term::of(day("2024-02-29"), day("2025-03-01")), Term::Long);
    }
}
