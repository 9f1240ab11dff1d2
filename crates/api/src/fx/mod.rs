//! Currencies: daily exchange rates (stored, imported with `api import-fx`, fetched from the
//! ECB), the rule that picks a day's rate (`rates`), and a ledger converted into a report's
//! currency (`convert`) so that the ledger's arithmetic runs unchanged in it.

pub mod convert;
pub mod daily;
pub mod ecb;
pub mod import_file;
pub mod rates;

pub use convert::ConvertError;
pub use daily::DailyRates;
pub use ecb::{Ecb, RateProvider};
pub use rates::{MissingRate, Rates};
