//! The export document: a header naming the format and its version, the highest id each table
//! has handed out, and every owned table's rows, column for column.
//!
//! Each row type here is both the JSON shape and the row diesel reads and writes, on purpose:
//! an export copies rows, it does not reinterpret them, so there is nothing to convert and
//! nothing to get wrong in between. [`VERSION`] changes whenever these types do.
//!
//! Decimals are JSON strings (`"10.12345678"`), parsed back exactly, never through a float;
//! dates are `YYYY-MM-DD`; timestamps are the stored UTC time without an offset, to the
//! nanosecond SQLite keeps (PostgreSQL keeps microseconds).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{
    accounts, close_coverage, close_days, daily_closes, fx_coverage, fx_rates, options, selections,
    transactions, users, watchlist_entries, watchlists, weeks,
};
use crate::db::sql_types::DbDecimal;

/// What a document says it is, so a file of something else is told apart from a damaged one.
pub const FORMAT: &str = "fattore-export";
/// The version of the document this api writes, and the only one it reads.
/// Version 2 added each user's base currency and the exchange-rate tables.
pub const VERSION: u64 = 2;

/// The tables whose ids come from a sequence (PostgreSQL) or AUTOINCREMENT (SQLite).
pub const ID_TABLES: [&str; 8] = [
    "users",
    "accounts",
    "transactions",
    "watchlist_entries",
    "options",
    "selections",
    "close_coverage",
    "fx_coverage",
];

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub format: String,
    pub version: u64,
    pub exported_at: DateTime<Utc>,
    /// Per table of [`ID_TABLES`], the highest id it ever handed out, deleted rows included:
    /// neither backend hands an id out twice, and after a move neither may, or an old link to
    /// a deleted row would lead to a new one.
    pub id_counters: BTreeMap<String, i64>,
    pub tables: Tables,
}

/// Only what tells whether this api reads a document, parsed before the rest: a newer
/// document is then refused for its version, not for the first row this api does not know.
#[derive(Debug, Deserialize)]
pub struct Header {
    pub format: Option<String>,
    pub version: Option<u64>,
}

/// Every owned table, parents before children (the order rows are inserted in).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tables {
    pub users: Vec<User>,
    pub accounts: Vec<Account>,
    pub transactions: Vec<Transaction>,
    pub watchlists: Vec<Watchlist>,
    pub watchlist_entries: Vec<WatchlistEntry>,
    pub weeks: Vec<Week>,
    pub options: Vec<WeekOption>,
    pub selections: Vec<Selection>,
    pub daily_closes: Vec<DailyClose>,
    pub close_coverage: Vec<CloseCoverage>,
    pub close_days: Vec<CloseDay>,
    #[serde(default)]
    pub fx_rates: Vec<FxRate>,
    #[serde(default)]
    pub fx_coverage: Vec<FxCoverage>,
}

impl Tables {
    /// The tables' names, in insertion order.
    pub const NAMES: [&'static str; 13] = [
        "users",
        "accounts",
        "transactions",
        "watchlists",
        "watchlist_entries",
        "weeks",
        "options",
        "selections",
        "daily_closes",
        "close_coverage",
        "close_days",
        "fx_rates",
        "fx_coverage",
    ];

    /// Each table's name and number of rows, in insertion order.
    pub fn counts(&self) -> impl Iterator<Item = (&'static str, usize)> {
        let lengths = [
            self.users.len(),
            self.accounts.len(),
            self.transactions.len(),
            self.watchlists.len(),
            self.watchlist_entries.len(),
            self.weeks.len(),
            self.options.len(),
            self.selections.len(),
            self.daily_closes.len(),
            self.close_coverage.len(),
            self.close_days.len(),
            self.fx_rates.len(),
            self.fx_coverage.len(),
        ];
        Self::NAMES.into_iter().zip(lengths)
    }
}

/// An account, with its password hash (ours, or the Django one it was imported with).
#[derive(Debug, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub username_key: String,
    pub username_skeleton: Option<String>,
    pub email: String,
    pub password_hash: String,
    pub is_staff: bool,
    pub is_superuser: bool,
    pub is_active: bool,
    pub date_joined: NaiveDateTime,
    pub source_id: Option<i64>,
    #[serde(default = "usd")]
    pub base_currency: String,
}

fn usd() -> String {
    "USD".to_owned()
}

#[derive(Debug, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = accounts)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub currency: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = transactions, treat_none_as_default_value = false)]
#[serde(deny_unknown_fields)]
pub struct Transaction {
    pub id: i64,
    pub user_id: i64,
    pub account_id: i64,
    pub kind: String,
    pub ticker: String,
    pub date: NaiveDate,
    #[serde(with = "decimal_text::optional")]
    pub quantity: Option<DbDecimal>,
    #[serde(with = "decimal_text::optional")]
    pub price: Option<DbDecimal>,
    #[serde(with = "decimal_text::optional")]
    pub fee: Option<DbDecimal>,
    #[serde(with = "decimal_text::optional")]
    pub amount: Option<DbDecimal>,
    #[serde(with = "decimal_text::optional")]
    pub ratio: Option<DbDecimal>,
    pub currency: String,
    pub note: Option<String>,
    pub source_id: Option<i64>,
}

#[derive(Debug, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = watchlists)]
#[serde(deny_unknown_fields)]
pub struct Watchlist {
    pub user_id: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = watchlist_entries)]
#[serde(deny_unknown_fields)]
pub struct WatchlistEntry {
    pub id: i64,
    pub user_id: i64,
    pub ticker: String,
    pub created_at: NaiveDateTime,
}

/// A game week with the scheduler's marks, so a week that is over is never priced again.
#[derive(Debug, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = weeks, treat_none_as_default_value = false)]
#[serde(deny_unknown_fields)]
pub struct Week {
    pub sunday: NaiveDate,
    pub started_at: Option<NaiveDateTime>,
    pub start_claimed_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub close_claimed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = options, treat_none_as_default_value = false)]
#[serde(deny_unknown_fields)]
pub struct WeekOption {
    pub id: i64,
    pub sunday: NaiveDate,
    pub ticker: String,
    #[serde(with = "decimal_text::optional")]
    pub start_price: Option<DbDecimal>,
    #[serde(with = "decimal_text::optional")]
    pub end_price: Option<DbDecimal>,
    #[serde(with = "decimal_text::optional")]
    pub percent_change: Option<DbDecimal>,
    pub rank: Option<i32>,
}

#[derive(Debug, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = selections)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    pub id: i64,
    pub user_id: i64,
    pub option_id: i64,
    pub sunday: NaiveDate,
    pub slot: i16,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = daily_closes)]
#[serde(deny_unknown_fields)]
pub struct DailyClose {
    pub symbol: String,
    pub date: NaiveDate,
    #[serde(with = "decimal_text")]
    pub close: DbDecimal,
}

/// Day ranges already asked of the history provider, kept so they are not fetched again.
#[derive(Debug, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = close_coverage)]
#[serde(deny_unknown_fields)]
pub struct CloseCoverage {
    pub id: i64,
    pub symbol: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

/// A day's exchange rate: 1 `base` = `rate` `quote`.
#[derive(Debug, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = fx_rates)]
#[serde(deny_unknown_fields)]
pub struct FxRate {
    pub base: String,
    pub quote: String,
    pub date: NaiveDate,
    #[serde(with = "decimal_text")]
    pub rate: DbDecimal,
}

/// Day ranges already asked of the rate provider.
#[derive(Debug, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = fx_coverage)]
#[serde(deny_unknown_fields)]
pub struct FxCoverage {
    pub id: i64,
    pub currency: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

#[derive(Debug, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = close_days, treat_none_as_default_value = false)]
#[serde(deny_unknown_fields)]
pub struct CloseDay {
    pub date: NaiveDate,
    pub claimed_at: Option<NaiveDateTime>,
    pub done_at: Option<NaiveDateTime>,
}

/// A decimal as a JSON string in its stored form (`"471.2500"` keeps its scale), read back
/// with `Decimal::from_str_exact`, which refuses what it would have to round.
mod decimal_text {
    use rust_decimal::Decimal;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::db::sql_types::DbDecimal;

    pub fn serialize<S: Serializer>(value: &DbDecimal, out: S) -> Result<S::Ok, S::Error> {
        out.collect_str(&value.0)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<DbDecimal, D::Error> {
        let text = String::deserialize(input)?;
        Decimal::from_str_exact(&text)
            .map(DbDecimal)
            .map_err(|err| D::Error::custom(format!("{text:?} is not an exact decimal: {err}")))
    }

    pub mod optional {
        use serde::{Deserialize, Deserializer, Serializer};

        use crate::db::sql_types::DbDecimal;

        pub fn serialize<S: Serializer>(
            value: &Option<DbDecimal>,
            out: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => super::serialize(value, out),
                None => out.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            input: D,
        ) -> Result<Option<DbDecimal>, D::Error> {
            #[derive(Deserialize)]
            struct Text(#[serde(with = "super")] DbDecimal);
            Ok(Option::<Text>::deserialize(input)?.map(|Text(value)| value))
        }
    }
}
