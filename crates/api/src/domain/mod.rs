//! Value types that are valid once constructed ("parse, don't validate"). Each `parse` returns
//! the user-facing message DRF clients know when the input is not acceptable. And the trading
//! calendar (`calendar`), which the game and the stored closes both follow, and the two
//! rounding rules every shown figure follows (`money`).

pub(crate) mod buy_date;
pub mod calendar;
mod common_passwords;
pub mod currency;
mod email;
mod fixed_decimal;
mod ledger;
pub mod money;
mod password;
mod percent_change;
mod price;
mod sunday;
mod ticker;
pub mod username;

pub use buy_date::BuyDate;
pub use common_passwords::load as load_common_passwords;
pub use currency::CurrencyCode;
pub use email::Email;
pub use fixed_decimal::{CostBasis, FixedDecimal, Shares};
pub use ledger::{AccountName, Money, Note, Quantity, Ratio, TradeDate, TransactionType};
pub use password::{Owner, Password};
pub use percent_change::PercentChange;
pub use price::Price;
pub use sunday::Sunday;
pub use ticker::{listing_currency_of, Ticker};
pub use username::Username;
