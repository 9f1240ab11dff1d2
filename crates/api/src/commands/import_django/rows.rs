//! The Django app's rows as a source holds them, before any of our rules: every reader
//! (PostgreSQL, SQLite, dumpdata) produces these. Decimals, dates and timestamps are the
//! source's text, so no value passes through a float on the way in.

use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel::QueryableByName;

/// The Django tables this import reads, named as Django names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Table {
    Users,
    Assets,
    Options,
    Selections,
}

impl Table {
    pub const ALL: [Table; 4] = [Self::Users, Self::Assets, Self::Options, Self::Selections];

    pub fn name(self) -> &'static str {
        match self {
            Self::Users => "auth_user",
            Self::Assets => "portfolio_asset",
            Self::Options => "wallstreet_option",
            Self::Selections => "wallstreet_selection",
        }
    }
}

/// `auth_user`. (`first_name`, `last_name` and `last_login` have no place here.)
#[derive(Debug, Clone, QueryableByName)]
pub struct UserRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub password: String,
    #[diesel(sql_type = Bool)]
    pub is_superuser: bool,
    #[diesel(sql_type = Text)]
    pub username: String,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = Bool)]
    pub is_staff: bool,
    #[diesel(sql_type = Bool)]
    pub is_active: bool,
    #[diesel(sql_type = Text)]
    pub date_joined: String,
}

/// `portfolio_asset`, in either of the app's schemas: the early one (the holding's own `ticker`,
/// `costbasis` per share, `buy`) or the later one (the ticker in `portfolio_assetinfo`,
/// `cost_basis` the whole purchase's cost, `buy_date`, and a sale's `sell_date` and
/// `sell_price`, the whole sale's proceeds).
#[derive(Debug, Clone, QueryableByName)]
pub struct AssetRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub ticker: String,
    #[diesel(sql_type = Text)]
    pub shares: String,
    #[diesel(sql_type = Text)]
    pub costbasis: String,
    #[diesel(sql_type = Text)]
    pub buy: String,
    #[diesel(sql_type = BigInt)]
    pub user_id: i64,
    /// The later schema: `costbasis` is the purchase's total, not a price per share.
    #[diesel(sql_type = Bool)]
    pub cost_is_total: bool,
    /// The later schema's sale, if the position was sold: its date and its total proceeds.
    #[diesel(sql_type = Nullable<Text>)]
    pub sell_date: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub sell_total: Option<String>,
}

/// `wallstreet_option`; the numbers are nullable because not every version of the app gave
/// them defaults.
#[derive(Debug, Clone, QueryableByName)]
pub struct OptionRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub ticker: String,
    #[diesel(sql_type = Text)]
    pub sunday: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub start_price: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub end_price: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub percent_change: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub rank: Option<i64>,
}

/// `wallstreet_selection`.
#[derive(Debug, Clone, QueryableByName)]
pub struct SelectionRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub option_id: i64,
    #[diesel(sql_type = BigInt)]
    pub user_id: i64,
}

/// Everything read from one source. The game's tables are `None` when the source has none
/// (their migrations were never applied, or a dump without them).
#[derive(Debug, Default)]
pub struct DjangoRows {
    pub users: Vec<UserRow>,
    pub assets: Vec<AssetRow>,
    pub options: Option<Vec<OptionRow>>,
    pub selections: Option<Vec<SelectionRow>>,
}

impl DjangoRows {
    /// How many rows of `table` the source has (0 when it has no such table).
    pub fn count(&self, table: Table) -> usize {
        match table {
            Table::Users => self.users.len(),
            Table::Assets => self.assets.len(),
            Table::Options => self.options.as_ref().map_or(0, Vec::len),
            Table::Selections => self.selections.as_ref().map_or(0, Vec::len),
        }
    }

    /// The tables the source does not have.
    pub fn missing(&self) -> Vec<Table> {
        let mut missing = Vec::new();
        if self.options.is_none() {
            missing.push(Table::Options);
        }
        if self.selections.is_none() {
            missing.push(Table::Selections);
        }
        missing
    }
}
