//! A Django database, PostgreSQL or SQLite: the same queries on both, read in one read-only
//! snapshot. Decimals, dates and timestamps are cast to text in SQL: SQLite's NUMERIC affinity
//! hands them back as integers or floats otherwise (`10`, `2.5`), and its text form of those
//! is exact (an integer's digits, a float's 15 significant digits, which is all SQLite kept).

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::query_builder::SqlQuery;
use diesel::query_dsl::LoadQuery;
use diesel::sql_types::Bool;
use diesel::{sql_query, Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};

use crate::commands::import_django::rows::{
    AssetRow, DjangoRows, OptionRow, SelectionRow, Table, UserRow,
};
use crate::commands::import_django::ImportError;
use crate::db::{with_client_defaults, DatabaseUrl};

const USERS: &str = "SELECT CAST(id AS BIGINT) AS id, password, is_superuser, username, email, \
    is_staff, is_active, CAST(date_joined AS TEXT) AS date_joined FROM auth_user ORDER BY id";
const ASSETS: &str = "SELECT CAST(id AS BIGINT) AS id, ticker, CAST(shares AS TEXT) AS shares, \
    CAST(costbasis AS TEXT) AS costbasis, CAST(buy AS TEXT) AS buy, \
    CAST(user_id AS BIGINT) AS user_id, FALSE AS cost_is_total, \
    CAST(NULL AS TEXT) AS sell_date, CAST(NULL AS TEXT) AS sell_total \
    FROM portfolio_asset ORDER BY id";
/// The later schema: the ticker through `asset_info_id`, the cost and the sale as totals.
const LATER_ASSETS: &str = "SELECT CAST(a.id AS BIGINT) AS id, i.ticker AS ticker, \
    CAST(a.shares AS TEXT) AS shares, CAST(a.cost_basis AS TEXT) AS costbasis, \
    CAST(a.buy_date AS TEXT) AS buy, CAST(a.user_id AS BIGINT) AS user_id, \
    TRUE AS cost_is_total, CAST(a.sell_date AS TEXT) AS sell_date, \
    CAST(a.sell_price AS TEXT) AS sell_total \
    FROM portfolio_asset a JOIN portfolio_assetinfo i ON i.id = a.asset_info_id ORDER BY a.id";
/// The column only the later schema's `portfolio_asset` has.
const LATER_COLUMN: (&str, &str) = ("portfolio_asset", "asset_info_id");
const OPTIONS: &str = "SELECT CAST(id AS BIGINT) AS id, ticker, CAST(sunday AS TEXT) AS sunday, \
    CAST(\"startPrice\" AS TEXT) AS start_price, CAST(\"endPrice\" AS TEXT) AS end_price, \
    CAST(\"percentChange\" AS TEXT) AS percent_change, CAST(rank AS BIGINT) AS rank \
    FROM wallstreet_option ORDER BY id";
const SELECTIONS: &str =
    "SELECT CAST(id AS BIGINT) AS id, CAST(option_id AS BIGINT) AS option_id, \
    CAST(user_id AS BIGINT) AS user_id FROM wallstreet_selection ORDER BY id";

#[derive(QueryableByName)]
struct Presence {
    #[diesel(sql_type = Bool)]
    present: bool,
}

pub fn read(url: &DatabaseUrl) -> Result<DjangoRows, ImportError> {
    let connect_failed = |cause| ImportError::Connect {
        location: url.to_string(),
        cause,
    };
    match url {
        DatabaseUrl::Postgres(raw) => {
            let mut conn =
                PgConnection::establish(&with_client_defaults(raw)).map_err(connect_failed)?;
            // Timestamps in UTC and dates as YYYY-MM-DD, whatever the server's defaults.
            conn.batch_execute("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'")?;
            conn.build_transaction()
                .repeatable_read()
                .read_only()
                .run(|conn| {
                    read_tables(
                        conn,
                        |table| format!("SELECT to_regclass('{table}') IS NOT NULL AS present"),
                        |(table, column)| {
                            format!(
                                "SELECT EXISTS (SELECT 1 FROM information_schema.columns \
                                 WHERE table_schema = current_schema() \
                                 AND table_name = '{table}' AND column_name = '{column}') AS present"
                            )
                        },
                    )
                })
        }
        DatabaseUrl::Sqlite(path) => {
            // Opening a missing file would create an empty database; the source is only read.
            if !path.is_file() {
                return Err(ImportError::Source(format!(
                    "{} is not a file",
                    path.display()
                )));
            }
            let mut conn =
                SqliteConnection::establish(&read_only_uri(path)).map_err(connect_failed)?;
            conn.transaction(|conn| {
                read_tables(
                    conn,
                    |table| {
                        format!(
                            "SELECT EXISTS (SELECT 1 FROM sqlite_master \
                             WHERE type = 'table' AND name = '{table}') AS present"
                        )
                    },
                    |(table, column)| {
                        format!(
                            "SELECT EXISTS (SELECT 1 FROM pragma_table_info('{table}') \
                             WHERE name = '{column}') AS present"
                        )
                    },
                )
            })
        }
    }
}

/// A `file:` URI that opens the database read-only (SQLite takes URIs from diesel).
fn read_only_uri(path: &Path) -> String {
    let text = path.to_string_lossy();
    let escaped = text
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23");
    format!("file:{escaped}?mode=ro")
}

/// Reads every table, `presence` telling whether a table exists and `column_presence` whether
/// a table has a column (which of the app's two schemas the holdings are in).
fn read_tables<C>(
    conn: &mut C,
    presence: fn(&str) -> String,
    column_presence: fn((&str, &str)) -> String,
) -> Result<DjangoRows, ImportError>
where
    C: Connection,
    SqlQuery: LoadQuery<'static, C, Presence>
        + LoadQuery<'static, C, UserRow>
        + LoadQuery<'static, C, AssetRow>
        + LoadQuery<'static, C, OptionRow>
        + LoadQuery<'static, C, SelectionRow>,
{
    let mut has = |table: Table| -> Result<bool, ImportError> {
        let found: Presence = sql_query(presence(table.name()))
            .get_result(conn)
            .map_err(|cause| read_failed(table, cause))?;
        Ok(found.present)
    };
    let present: Vec<(Table, bool)> = Table::ALL
        .into_iter()
        .map(|table| has(table).map(|found| (table, found)))
        .collect::<Result<_, _>>()?;
    let exists = |wanted: Table| {
        present
            .iter()
            .any(|(table, found)| *table == wanted && *found)
    };
    for required in [Table::Users, Table::Assets] {
        if !exists(required) {
            return Err(ImportError::MissingTable(required.name()));
        }
    }
    let later: Presence = sql_query(column_presence(LATER_COLUMN))
        .get_result(conn)
        .map_err(|cause| read_failed(Table::Assets, cause))?;
    let assets = if later.present { LATER_ASSETS } else { ASSETS };
    Ok(DjangoRows {
        users: load(conn, Table::Users, USERS)?,
        assets: load(conn, Table::Assets, assets)?,
        options: exists(Table::Options)
            .then(|| load(conn, Table::Options, OPTIONS))
            .transpose()?,
        selections: exists(Table::Selections)
            .then(|| load(conn, Table::Selections, SELECTIONS))
            .transpose()?,
    })
}

fn load<C, U>(conn: &mut C, table: Table, sql: &str) -> Result<Vec<U>, ImportError>
where
    C: Connection,
    SqlQuery: LoadQuery<'static, C, U>,
{
    sql_query(sql)
        .load(conn)
        .map_err(|cause| read_failed(table, cause))
}

fn read_failed(table: Table, cause: diesel::result::Error) -> ImportError {
    ImportError::Read {
        table: table.name(),
        cause,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uri_keeps_odd_file_names_intact() {
        assert_eq!(
            read_only_uri(Path::new("/data/db #1?.sqlite3")),
            "file:/data/db %231%3f.sqlite3?mode=ro"
        );
    }
}
