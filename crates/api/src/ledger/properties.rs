//! The ledger's invariants over random ledgers: quantities never go negative, and the gains
//! reconcile with the money: realized + unrealized + dividends = money out + end value − money
//! in, fees inside both sides, whether counted from the lots or from the performance walk.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::lots::Book;
use super::performance::{measure, Range};
use super::positions::positions;
use super::Closes;
use super::{Event, Trade};

#[derive(Debug, Clone)]
enum Op {
    Buy {
        quantity: i64,
        price: i64,
        fee: i64,
    },
    /// Sells this many hundredths of what the account holds.
    Sell {
        percent: i64,
        price: i64,
        fee: i64,
    },
    Dividend {
        amount: i64,
    },
    Split {
        ratio: usize,
    },
}

const RATIOS: [&str; 5] = ["2", "3", "0.5", "0.1", "1.5"];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1i64..100_000, 100i64..50_000, 0i64..1_000)
            .prop_map(|(quantity, price, fee)| Op::Buy { quantity, price, fee }),
        3 => (1i64..=100, 100i64..50_000, 0i64..1_000)
            .prop_map(|(percent, price, fee)| Op::Sell { percent, price, fee }),
        1 => (1i64..10_000).prop_map(|amount| Op::Dividend { amount }),
        1 => (0..RATIOS.len()).prop_map(|ratio| Op::Split { ratio }),
    ]
}

/// (days after the start, account, ticker, what)
fn ledger() -> impl Strategy<Value = Vec<(u64, i64, usize, Op)>> {
    prop::collection::vec((0u64..400, 1i64..=2, 0usize..2, op()), 1..40)
}

const TICKERS: [&str; 2] = ["AAA", "BBB"];

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, 2).unwrap()
}

/// Turns the random steps into a valid ledger: sales take a share of what is held then.
fn build(steps: Vec<(u64, i64, usize, Op)>) -> Vec<Trade> {
    let rank = |op: &Op| match op {
        Op::Split { .. } => 0,
        Op::Buy { .. } => 1,
        Op::Sell { .. } => 2,
        Op::Dividend { .. } => 3,
    };
    // In the ledger's order already, so each sale is sized against what replay will hold.
    let mut steps = steps;
    steps.sort_by_key(|step| (step.0, rank(&step.3)));
    let mut book = Book::default();
    let mut trades = Vec::new();
    for (id, (offset, account, ticker, op)) in (1i64..).zip(steps) {
        let ticker = TICKERS[ticker];
        let cents = |value: i64| Decimal::new(value, 2);
        let event = match op {
            Op::Buy {
                quantity,
                price,
                fee,
            } => Event::Buy {
                quantity: Decimal::new(quantity, 3),
                price: cents(price),
                fee: cents(fee),
            },
            Op::Sell {
                percent,
                price,
                fee,
            } => {
                let held = book.held(account, ticker);
                let quantity = (held * Decimal::new(percent, 2)).trunc_with_scale(8);
                if quantity.is_zero() {
                    continue;
                }
                Event::Sell {
                    quantity,
                    price: cents(price),
                    fee: cents(fee),
                }
            }
            Op::Dividend { amount } => Event::Dividend {
                amount: cents(amount),
            },
            Op::Split { ratio } => Event::Split {
                ratio: RATIOS[ratio].parse().unwrap(),
            },
        };
        let trade = Trade {
            id,
            account,
            ticker: ticker.to_owned(),
            date: start() + Days::new(offset),
            event,
            currency: "USD".into(),
        };
        book.apply(&trade).expect("a sale within the holding");
        trades.push(trade);
    }
    super::sort(&mut trades);
    trades
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn quantities_never_go_negative(steps in ledger()) {
        let trades = build(steps);
        let mut book = Book::default();
        for trade in &trades {
            book.apply(trade).unwrap();
            for lots in book.open.values() {
                for lot in lots {
                    prop_assert!(lot.quantity >= Decimal::ZERO, "{lot:?}");
                    prop_assert!(lot.cost >= Decimal::ZERO, "{lot:?}");
                }
            }
        }
        for lot in &book.realized {
            prop_assert!(lot.quantity > Decimal::ZERO, "{lot:?}");
        }
    }

    #[test]
    fn gains_reconcile_with_the_money(
        steps in ledger(),
        closing in (100i64..50_000, 100i64..50_000),
    ) {
        let trades = build(steps);
        let prices = HashMap::from([
            ("AAA".to_owned(), Decimal::new(closing.0, 2)),
            ("BBB".to_owned(), Decimal::new(closing.1, 2)),
        ]);
        let (mut money_in, mut money_out) = (Decimal::ZERO, Decimal::ZERO);
        for trade in &trades {
            let flow = trade.flow().unwrap();
            money_in += flow.money_in;
            money_out += flow.money_out;
        }
        let book = Book::replay(&trades).unwrap();
        let (_, totals) = positions(&book, &prices).unwrap();
        let end_value = totals.market_value.unwrap_or_default();
        let gains = totals.realized_gain + totals.unrealized_gain.unwrap_or_default() + totals.dividends;
        prop_assert_eq!(gains, money_out + end_value - money_in);

        // The performance walk sees the same money and the same end value.
        prop_assume!(!trades.is_empty());
        let last = trades.last().unwrap().date + Days::new(1);
        let closes: Closes = prices
            .iter()
            .map(|(ticker, close)| (ticker.clone(), [(last, *close)].into()))
            .collect();
        let range = Range { from: start(), to: last, trading_days: &[], benchmark: "SPY" };
        let walked = measure(&trades, &closes, &range).unwrap();
        prop_assert_eq!(walked.invested, money_in);
        prop_assert_eq!(walked.withdrawn, money_out);
        prop_assert_eq!(walked.end_value, end_value);
        prop_assert_eq!(walked.start_value, Decimal::ZERO);
    }
}
