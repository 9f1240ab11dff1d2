//! `/api/transactions/`: the caller's ledger. Every write is checked as a ledger in the same
//! database transaction: a SELL of more than its account held of its ticker on its date is a
//! 400 on `quantity`, and so is an edit or a deletion that would leave a later SELL short.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::db::{DbConn, DbPool};
use crate::domain::{Ticker, TransactionType};
use crate::error::{short_sale_message, ApiError};
use crate::input::entry::{merged, read_entry};
use crate::input::Identity;
use crate::input::{params, CsvBody, JsonObject};
use crate::ledger::Figures;
use crate::models::account;
use crate::models::transaction::{self, Entry, Filter, TransactionRow, WriteError};
use crate::portfolio::holdings_csv::RowError;
use crate::portfolio::transactions_csv::{self, CsvRow, ExportRow};
use crate::routes::csv_files;
use crate::views::ledger::TransactionView;
use crate::views::portfolio::{ImportErrorView, ImportReport};

fn view(row: TransactionRow) -> Result<TransactionView, ApiError> {
    TransactionView::try_from(row).map_err(ApiError::internal)
}

/// The `?account=` parameter: one of the caller's accounts, or a 404.
pub(crate) async fn account_param(
    pool: &DbPool,
    owner: i64,
    query: &params::Query,
) -> Result<Option<i64>, ApiError> {
    let Some(raw) = query
        .get("account")
        .map(|raw| raw.trim())
        .filter(|raw| !raw.is_empty())
    else {
        return Ok(None);
    };
    let id: i64 = raw
        .parse()
        .map_err(|_| ApiError::field("account", "A valid integer is required."))?;
    pool.query(move |conn| account::find_for(conn, owner, id))
        .await?
        .map(|account| Some(account.id))
        .ok_or(ApiError::NotFound)
}

/// `GET /api/transactions/[?account=&ticker=&type=&from=&to=]`: the caller's transactions by
/// date, then as entered.
#[utoipa::path(
    get,
    path = "/api/transactions",
    operation_id = "transactions_list",
    tag = "ledger",
    security(("bearer" = [])),
    params(
        ("account" = Option<i64>, Query, description = "One of the caller's accounts (another is a 404)."),
        ("ticker" = Option<String>, Query, description = "One ticker."),
        ("type" = Option<String>, Query, description = "`BUY`, `SELL`, `DIVIDEND` or `SPLIT`."),
        ("from" = Option<String>, Query, description = "On or after this date (`YYYY-MM-DD`)."),
        ("to" = Option<String>, Query, description = "On or before this date (`YYYY-MM-DD`)."),
    ),
    responses(
        (status = 200, description = "The transactions, by date.", body = [TransactionView]),
        (status = 404, description = "`account` is not one of the caller's (`not_found`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn list(
    pool: web::Data<DbPool>,
    me: Identity,
    query: web::Query<params::Query>,
) -> Result<HttpResponse, ApiError> {
    let ticker = match query.get("ticker").map(|raw| raw.trim()) {
        Some(raw) if !raw.is_empty() => {
            Some(Ticker::parse(raw).map_err(|err| ApiError::field("ticker", err))?)
        }
        _ => None,
    };
    let kind = match query.get("type").map(|raw| raw.trim()) {
        Some(raw) if !raw.is_empty() => {
            Some(TransactionType::parse(raw).map_err(|err| ApiError::field("type", err))?)
        }
        _ => None,
    };
    let filter = Filter {
        account: account_param(&pool, me.user_id, &query).await?,
        ticker: ticker.map(Ticker::into_inner),
        kind,
        from: params::date(&query, "from")?,
        to: params::date(&query, "to")?,
    };
    let rows = pool
        .query(move |conn| transaction::list_for(conn, me.user_id, &filter))
        .await?;
    let views = rows.into_iter().map(view).collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(views))
}

/// `POST /api/transactions/`.
#[utoipa::path(
    post,
    path = "/api/transactions",
    operation_id = "transactions_create",
    tag = "ledger",
    security(("bearer" = [])),
    request_body = crate::openapi::schemas::TransactionInput,
    responses((status = 201, description = "Created.", body = TransactionView))
)]
pub async fn create(
    pool: web::Data<DbPool>,
    me: Identity,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let row = pool
        .run(move |conn| {
            conn.write_transaction(|conn| -> Result<_, ApiError> {
                let accounts = account::list_for(conn, me.user_id)?;
                let entry = read_entry(&body, &accounts)?;
                Ok(transaction::create_checked(conn, me.user_id, &entry)?)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(view(row)?))
}

/// `GET /api/transactions/{id}/`.
#[utoipa::path(
    get,
    path = "/api/transactions/{id}",
    operation_id = "transactions_retrieve",
    tag = "ledger",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The transaction's id.")),
    responses((status = 200, description = "The transaction.", body = TransactionView))
)]
pub async fn retrieve(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = pool
        .query(move |conn| transaction::find_for(conn, me.user_id, id))
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(view(row)?))
}

/// `PATCH /api/transactions/{id}/`: changes the fields given; a new type drops the old type's
/// own fields, and needs its own.
#[utoipa::path(
    patch,
    path = "/api/transactions/{id}",
    operation_id = "transactions_patch",
    tag = "ledger",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The transaction's id.")),
    request_body(content = crate::openapi::schemas::TransactionInput, description = "The fields to change; any may be left out."),
    responses((status = 200, description = "Changed.", body = TransactionView))
)]
pub async fn patch(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
    body: Result<JsonObject, ApiError>,
) -> Result<HttpResponse, ApiError> {
    update(pool, me, id.into_inner(), body, Presence::Optional).await
}

/// `PUT /api/transactions/{id}/`: replaces the transaction.
#[utoipa::path(
    put,
    path = "/api/transactions/{id}",
    operation_id = "transactions_replace",
    tag = "ledger",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The transaction's id.")),
    request_body = crate::openapi::schemas::TransactionInput,
    responses((status = 200, description = "Replaced.", body = TransactionView))
)]
pub async fn replace(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
    body: Result<JsonObject, ApiError>,
) -> Result<HttpResponse, ApiError> {
    update(pool, me, id.into_inner(), body, Presence::Required).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Presence {
    Required,
    Optional,
}

/// Someone else's transaction is a 404 whatever the body says, so ownership is checked first.
async fn update(
    pool: web::Data<DbPool>,
    me: Identity,
    id: i64,
    body: Result<JsonObject, ApiError>,
    presence: Presence,
) -> Result<HttpResponse, ApiError> {
    let row = pool
        .run(move |conn| {
            conn.write_transaction(|conn| -> Result<_, ApiError> {
                let before =
                    transaction::find_for(conn, me.user_id, id)?.ok_or(ApiError::NotFound)?;
                let body = body?;
                let body = match presence {
                    Presence::Required => body,
                    Presence::Optional => {
                        let current = serde_json::to_value(view(before.clone())?)
                            .map_err(ApiError::internal)?;
                        let serde_json::Value::Object(current) = current else {
                            return Err(ApiError::internal("a transaction's view is an object"));
                        };
                        merged(current, &body)
                    }
                };
                let accounts = account::list_for(conn, me.user_id)?;
                let entry = read_entry(&body, &accounts)?;
                transaction::replace_checked(conn, me.user_id, &before, &entry)?
                    .ok_or(ApiError::NotFound)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(row)?))
}

/// `DELETE /api/transactions/{id}/`: refused (400 on `quantity`) when a later SELL would be
/// left short.
#[utoipa::path(
    delete,
    path = "/api/transactions/{id}",
    operation_id = "transactions_delete",
    tag = "ledger",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The transaction's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, description = "A later sale would be left short (`{\"quantity\": [...]}`).", body = crate::openapi::schemas::FieldErrors),
    )
)]
pub async fn delete(
    pool: web::Data<DbPool>,
    me: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    pool.run(move |conn| {
        conn.write_transaction(|conn| -> Result<_, ApiError> {
            let before = transaction::find_for(conn, me.user_id, id)?.ok_or(ApiError::NotFound)?;
            if transaction::delete_checked(conn, me.user_id, &before)? {
                Ok(())
            } else {
                Err(ApiError::NotFound)
            }
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/transactions/export.csv[?account=]`: the caller's ledger in our CSV layout
/// (`type,ticker,date,quantity,price,fee,amount,ratio,account,currency,note`), by date.
#[utoipa::path(
    get,
    path = "/api/transactions/export.csv",
    operation_id = "transactions_export_csv",
    tag = "ledger",
    security(("bearer" = [])),
    params(("account" = Option<i64>, Query, description = "One of the caller's accounts (another is a 404); all of them when left out.")),
    responses(
        (status = 200, description = "One transaction a line, by date, with a header line.", content_type = "text/csv", body = String),
        (status = 404, description = "`account` is not one of the caller's (`not_found`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn export_csv(
    pool: web::Data<DbPool>,
    me: Identity,
    query: web::Query<params::Query>,
) -> Result<HttpResponse, ApiError> {
    let filter = Filter {
        account: account_param(&pool, me.user_id, &query).await?,
        ..Filter::default()
    };
    let (rows, accounts) = pool
        .query(move |conn| {
            Ok((
                transaction::list_for(conn, me.user_id, &filter)?,
                account::list_for(conn, me.user_id)?,
            ))
        })
        .await?;
    let names: HashMap<i64, String> = accounts
        .into_iter()
        .map(|account| (account.id, account.name))
        .collect();
    let lines = rows
        .into_iter()
        .map(|row| {
            let account = names.get(&row.account_id).cloned().unwrap_or_default();
            let view = view(row)?;
            Ok(ExportRow {
                kind: view.kind.to_owned(),
                ticker: view.ticker,
                date: view.date,
                quantity: view.quantity,
                price: view.price,
                fee: view.fee,
                amount: view.amount,
                ratio: view.ratio,
                account,
                currency: view.currency,
                note: view.note,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let body = transactions_csv::export(&lines).map_err(ApiError::internal)?;
    Ok(csv_files::download(body, "transactions.csv"))
}

/// `POST /api/transactions/import/[?dry_run=true]` (`text/csv`): adds the file's transactions,
/// in our layout or in Ghostfolio's or Wealthfolio's activity CSV (the header tells which).
/// Each row is checked as a request body would be, its `account` named by name (the first
/// account when blank). Rows already in the ledger are skipped (each present transaction
/// skips one equal row: same account, type, ticker, date and figures), so a file imported twice
/// adds nothing. All or nothing: any bad row, or a sale the ledger cannot cover, is reported
/// (by row, the header being row 1; row 0 for the ledger as a whole) and nothing is written. A
/// dry run does everything but keep the result, and answers 200 even with errors.
#[utoipa::path(
    post,
    path = "/api/transactions/import",
    operation_id = "transactions_import",
    tag = "ledger",
    security(("bearer" = [])),
    params(("dry_run" = Option<bool>, Query, description = "Report only, write nothing (`true`/`false`, `1`/`0`).")),
    request_body(content = String, content_type = "text/csv", description = "Our layout (`type,ticker,date,quantity,price,fee,amount,ratio,account,currency,note`, a header line first), or a Ghostfolio or Wealthfolio activities CSV."),
    responses(
        (status = 200, description = "Imported (or, on a dry run, what would be, errors and all).", body = ImportReport),
        (status = 400, description = "Bad rows (nothing written), or a bad `dry_run`.", body = crate::openapi::schemas::ImportRefused),
    )
)]
pub async fn import(
    pool: web::Data<DbPool>,
    me: Identity,
    query: web::Query<params::Query>,
    body: CsvBody,
) -> Result<HttpResponse, ApiError> {
    let dry_run = params::flag(&query, "dry_run")?.unwrap_or(false);
    let refused = |errors| csv_files::refused(errors, dry_run);
    let Ok(text) = std::str::from_utf8(&body.0) else {
        return Ok(refused(vec![RowError {
            row: 1,
            field: "file".into(),
            message: "The file is not UTF-8 text.".into(),
        }]));
    };
    let rows = match transactions_csv::parse(text) {
        Ok((_, rows)) => rows,
        Err(errors) => return Ok(refused(errors)),
    };
    let outcome = pool
        .run(move |conn| {
            conn.write_transaction(|conn| -> Result<ImportReport, Unkept> {
                let imported = import_rows(conn, me.user_id, rows).map_err(Unkept::Failed)?;
                if dry_run || !imported.errors.is_empty() {
                    // A dry run keeps nothing, and neither does a refused file.
                    return Err(Unkept::RolledBack(imported.into()));
                }
                Ok(imported.into())
            })
        })
        .await;
    match outcome {
        Ok(report) | Err(Unkept::RolledBack(report)) => Ok(csv_files::report(report, dry_run)),
        Err(Unkept::Failed(err)) => Err(err),
    }
}

/// Why an import's writes were not kept: it was only a dry run or the file was refused (with
/// the report), or it failed.
enum Unkept {
    RolledBack(ImportReport),
    Failed(ApiError),
}

impl From<diesel::result::Error> for Unkept {
    fn from(err: diesel::result::Error) -> Self {
        Self::Failed(err.into())
    }
}

impl From<crate::db::DbError> for Unkept {
    fn from(err: crate::db::DbError) -> Self {
        Self::Failed(err.into())
    }
}

/// What an import did (or, rolled back, would have done).
struct Imported {
    created: usize,
    skipped: usize,
    errors: Vec<RowError>,
}

impl From<Imported> for ImportReport {
    fn from(imported: Imported) -> Self {
        Self {
            created: if imported.errors.is_empty() {
                imported.created
            } else {
                0
            },
            skipped: imported.skipped,
            errors: imported
                .errors
                .into_iter()
                .map(ImportErrorView::from)
                .collect(),
        }
    }
}

/// The identity of a transaction for an import: everything but its id and note.
type EntryKey = (i64, &'static str, String, NaiveDate, Figures);

fn key_of(entry: &Entry) -> EntryKey {
    let figures = entry.event.figures();
    let normal = |value: Option<Decimal>| value.map(|value| value.normalize());
    (
        entry.account_id,
        entry.kind().as_str(),
        entry.ticker.clone(),
        entry.date,
        Figures {
            quantity: normal(figures.quantity),
            price: normal(figures.price),
            fee: normal(figures.fee),
            amount: normal(figures.amount),
            ratio: normal(figures.ratio),
        },
    )
}

/// Reads every row into an entry, skips those present, writes the rest and replays the
/// holdings they touch. Row problems are returned, not raised, so they all reach the report.
fn import_rows(conn: &mut DbConn, owner: i64, rows: Vec<CsvRow>) -> Result<Imported, ApiError> {
    let accounts = account::list_for(conn, owner)?;
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    for row in rows {
        let mut fields = row.fields;
        if let Some(name) = &row.account {
            match accounts
                .iter()
                .find(|account| account.name.eq_ignore_ascii_case(name.trim()))
            {
                Some(account) => {
                    fields.insert("account".into(), Value::from(account.id));
                }
                None => {
                    errors.push(RowError {
                        row: row.row,
                        field: "account".into(),
                        message: format!(
                            "You have no account named \"{name}\"; create it first (accounts are \
                             matched by name, not by another app's id)."
                        ),
                    });
                    continue;
                }
            }
        }
        match read_entry(&JsonObject(fields), &accounts) {
            Ok(entry) => entries.push((row.row, entry)),
            Err(ApiError::Fields(fields)) => {
                for (field, messages) in fields {
                    for message in messages {
                        errors.push(RowError {
                            row: row.row,
                            field: field.clone(),
                            message,
                        });
                    }
                }
            }
            Err(other) => return Err(other),
        }
    }
    if !errors.is_empty() {
        return Ok(Imported {
            created: 0,
            skipped: 0,
            errors,
        });
    }
    let mut present: HashMap<EntryKey, usize> = HashMap::new();
    for row in transaction::list_for(conn, owner, &Filter::default())? {
        let entry = row
            .entry()
            .map_err(|err| ApiError::from(WriteError::Load(err.into())))?;
        *present.entry(key_of(&entry)).or_default() += 1;
    }
    let (mut created, mut skipped) = (0, 0);
    let mut rows_of: HashMap<i64, usize> = HashMap::new();
    let mut touched: Vec<(i64, String)> = Vec::new();
    for (row, entry) in entries {
        match present.get_mut(&key_of(&entry)) {
            Some(count) if *count > 0 => {
                *count -= 1;
                skipped += 1;
            }
            _ => {
                let written = transaction::create(conn, owner, &entry)?;
                rows_of.insert(written.id, row);
                let holding = (entry.account_id, entry.ticker);
                if !touched.contains(&holding) {
                    touched.push(holding);
                }
                created += 1;
            }
        }
    }
    let holdings: Vec<(i64, &str)> = touched
        .iter()
        .map(|(account, ticker)| (*account, ticker.as_str()))
        .collect();
    match transaction::check(conn, &holdings) {
        Ok(()) => {}
        Err(WriteError::Short(short)) => errors.push(RowError {
            row: rows_of.get(&short.sell_id).copied().unwrap_or(0),
            field: "quantity".into(),
            message: short_sale_message(&short),
        }),
        Err(other) => return Err(other.into()),
    }
    Ok(Imported {
        created,
        skipped,
        errors,
    })
}
