//! The tables, as diesel sees them. Kept by hand: the two backends' migrations differ in column
//! types (see `sql_types`), so neither backend's `print-schema` output is the whole truth.

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        /// The username case-folded: the unique key that makes `Alice` and `alice` one account.
        username_key -> Text,
        /// The key's confusable skeleton (TR39): unique, so look-alike names are one name.
        /// NULL only for an old account that looked like an older one (see its migration).
        username_skeleton -> Nullable<Text>,
        email -> Text,
        password_hash -> Text,
        is_staff -> Bool,
        is_superuser -> Bool,
        is_active -> Bool,
        date_joined -> Timestamp,
        /// The account's id in the Django database it was imported from; NULL when made here.
        source_id -> Nullable<BigInt>,
        /// The ISO 4217 code figures are reported in (`USD` unless chosen).
        base_currency -> Text,
    }
}

diesel::table! {
    /// A user's brokerage accounts; every user has at least one (`Main`, made with the user).
    accounts (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        currency -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::sql_types::ExactDecimal;

    /// The ledger: BUY and SELL carry quantity, price and fee; DIVIDEND an amount; SPLIT a
    /// ratio; the other columns are NULL (the database checks it).
    transactions (id) {
        id -> BigInt,
        user_id -> BigInt,
        account_id -> BigInt,
        kind -> Text,
        ticker -> Text,
        date -> Date,
        quantity -> Nullable<ExactDecimal>,
        price -> Nullable<ExactDecimal>,
        fee -> Nullable<ExactDecimal>,
        amount -> Nullable<ExactDecimal>,
        ratio -> Nullable<ExactDecimal>,
        currency -> Text,
        note -> Nullable<Text>,
        /// The holding's id in the Django database it was imported from; NULL when made here.
        source_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(accounts -> users (user_id));
diesel::joinable!(transactions -> accounts (account_id));

diesel::table! {
    weeks (sunday) {
        sunday -> Date,
        started_at -> Nullable<Timestamp>,
        start_claimed_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        close_claimed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::sql_types::ExactDecimal;

    options (id) {
        id -> BigInt,
        sunday -> Date,
        ticker -> Text,
        start_price -> Nullable<ExactDecimal>,
        end_price -> Nullable<ExactDecimal>,
        percent_change -> Nullable<ExactDecimal>,
        rank -> Nullable<Integer>,
    }
}

diesel::table! {
    selections (id) {
        id -> BigInt,
        user_id -> BigInt,
        option_id -> BigInt,
        sunday -> Date,
        slot -> SmallInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    quota_uses (id) {
        id -> BigInt,
        bucket -> Text,
        used_at -> BigInt,
        amount -> Integer,
    }
}

diesel::table! {
    quota_lock (id) {
        id -> SmallInt,
        touched -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::sql_types::ExactDecimal;

    daily_closes (symbol, date) {
        symbol -> Text,
        date -> Date,
        close -> ExactDecimal,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::sql_types::ExactDecimal;

    /// Daily exchange rates: 1 `base` = `rate` `quote` on `date`.
    fx_rates (base, quote, date) {
        base -> Text,
        quote -> Text,
        date -> Date,
        rate -> ExactDecimal,
    }
}

diesel::table! {
    /// The day ranges of a currency already asked of the rate provider.
    fx_coverage (id) {
        id -> BigInt,
        currency -> Text,
        first_day -> Date,
        last_day -> Date,
    }
}

diesel::table! {
    close_coverage (id) {
        id -> BigInt,
        symbol -> Text,
        first_day -> Date,
        last_day -> Date,
    }
}

diesel::table! {
    close_days (date) {
        date -> Date,
        claimed_at -> Nullable<Timestamp>,
        done_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    watchlists (user_id) {
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    watchlist_entries (id) {
        id -> BigInt,
        user_id -> BigInt,
        ticker -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Failed logins per `scope` (`username`, `ip`, or the `pair` of both) and key; times are
    /// unix seconds.
    login_throttles (scope, key) {
        scope -> Text,
        key -> Text,
        failures -> Integer,
        last_failure_at -> BigInt,
        locked_until -> BigInt,
    }
}

diesel::table! {
    /// Where each account last logged in from (the throttle's address key), and when (unix
    /// seconds): an owner at a known address is not locked out by its username's limit.
    login_known_addresses (user_id, address) {
        user_id -> BigInt,
        address -> Text,
        last_success_at -> BigInt,
    }
}

diesel::table! {
    /// One per login: every token of the login names it. Times are unix seconds.
    sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        generation -> BigInt,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(options -> weeks (sunday));
diesel::joinable!(selections -> options (option_id));
diesel::joinable!(selections -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    accounts,
    transactions,
    weeks,
    options,
    selections,
    sessions
);
