//! A `manage.py dumpdata` file: a JSON list of `{"model": "app.model", "pk": 1, "fields":
//! {...}}`. Django writes decimals as strings; numbers are taken too, by their exact text
//! (serde_json keeps it). A user foreign key may be a natural key (`["alice"]`, from
//! `--natural-foreign`). Entries of other models (sessions, permissions, …) are skipped.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::commands::import_django::rows::{
    AssetRow, DjangoRows, OptionRow, SelectionRow, UserRow,
};
use crate::commands::import_django::ImportError;

#[derive(Deserialize)]
struct Entry {
    model: String,
    #[serde(default)]
    pk: Value,
    #[serde(default)]
    fields: Map<String, Value>,
}

pub fn read(path: &Path) -> Result<DjangoRows, ImportError> {
    let bytes = std::fs::read(path).map_err(|cause| ImportError::DumpFile {
        path: path.to_owned(),
        cause,
    })?;
    let entries: Vec<Entry> =
        serde_json::from_slice(&bytes).map_err(|cause| ImportError::DumpJson {
            path: path.to_owned(),
            cause,
        })?;
    let failed = |index: usize, entry: &Entry, problem: String| ImportError::DumpEntry {
        path: path.to_owned(),
        index,
        model: entry.model.clone(),
        problem,
    };
    let mut rows = DjangoRows::default();
    // Users first: the other models' natural keys name them. The rows are sorted by id after,
    // as the database readers give them.
    for (index, entry) in entries.iter().enumerate() {
        if entry.model == "auth.user" {
            rows.users
                .push(user(entry).map_err(|problem| failed(index, entry, problem))?);
        }
    }
    let by_username: HashMap<String, i64> = rows
        .users
        .iter()
        .map(|user| (user.username.clone(), user.id))
        .collect();
    // The later schema's tickers, by their `portfolio.assetinfo` key.
    let mut tickers: HashMap<i64, String> = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        if entry.model == "portfolio.assetinfo" {
            let ticker = pk(entry)
                .and_then(|id| Ok((id, text(entry, "ticker")?)))
                .map_err(|problem| failed(index, entry, problem))?;
            tickers.insert(ticker.0, ticker.1);
        }
    }
    for (index, entry) in entries.iter().enumerate() {
        let outcome = match entry.model.as_str() {
            "portfolio.asset" if entry.fields.contains_key("asset_info") => {
                later_asset(entry, &by_username, &tickers).map(|row| rows.assets.push(row))
            }
            "portfolio.asset" => asset(entry, &by_username).map(|row| rows.assets.push(row)),
            "wallstreet.option" => {
                option(entry).map(|row| rows.options.get_or_insert_with(Vec::new).push(row))
            }
            "wallstreet.selection" => selection(entry, &by_username)
                .map(|row| rows.selections.get_or_insert_with(Vec::new).push(row)),
            _ => Ok(()),
        };
        outcome.map_err(|problem| failed(index, entry, problem))?;
    }
    rows.users.sort_by_key(|row| row.id);
    rows.assets.sort_by_key(|row| row.id);
    if let Some(options) = &mut rows.options {
        options.sort_by_key(|row| row.id);
    }
    if let Some(selections) = &mut rows.selections {
        selections.sort_by_key(|row| row.id);
    }
    Ok(rows)
}

fn user(entry: &Entry) -> Result<UserRow, String> {
    Ok(UserRow {
        id: pk(entry)?,
        password: text(entry, "password")?,
        is_superuser: boolean(entry, "is_superuser")?,
        username: text(entry, "username")?,
        email: text(entry, "email")?,
        is_staff: boolean(entry, "is_staff")?,
        is_active: boolean(entry, "is_active")?,
        date_joined: text(entry, "date_joined")?,
    })
}

fn asset(entry: &Entry, users: &HashMap<String, i64>) -> Result<AssetRow, String> {
    Ok(AssetRow {
        id: pk(entry)?,
        ticker: text(entry, "ticker")?,
        shares: decimal(entry, "shares")?.ok_or("shares is null")?,
        costbasis: decimal(entry, "costbasis")?.ok_or("costbasis is null")?,
        buy: text(entry, "buy")?,
        user_id: user_key(entry, users)?,
        cost_is_total: false,
        sell_date: None,
        sell_total: None,
    })
}

/// The later schema's holding: its ticker through `asset_info`, its cost and sale as totals.
fn later_asset(
    entry: &Entry,
    users: &HashMap<String, i64>,
    tickers: &HashMap<i64, String>,
) -> Result<AssetRow, String> {
    let info = whole_number(field(entry, "asset_info")?, "asset_info")?;
    let sell_date = match field(entry, "sell_date")? {
        Value::Null => None,
        _ => Some(text(entry, "sell_date")?),
    };
    Ok(AssetRow {
        id: pk(entry)?,
        ticker: tickers
            .get(&info)
            .cloned()
            .ok_or_else(|| format!("asset_info {info} is not in the dump"))?,
        shares: decimal(entry, "shares")?.ok_or("shares is null")?,
        costbasis: decimal(entry, "cost_basis")?.ok_or("cost_basis is null")?,
        buy: text(entry, "buy_date")?,
        user_id: user_key(entry, users)?,
        cost_is_total: true,
        sell_date,
        sell_total: decimal(entry, "sell_price")?,
    })
}

fn option(entry: &Entry) -> Result<OptionRow, String> {
    let rank = match field(entry, "rank")? {
        Value::Null => None,
        Value::Number(n) => Some(n.as_i64().ok_or("rank is not a whole number")?),
        _ => return Err("rank is not a number".into()),
    };
    Ok(OptionRow {
        id: pk(entry)?,
        ticker: text(entry, "ticker")?,
        sunday: text(entry, "sunday")?,
        start_price: decimal(entry, "startPrice")?,
        end_price: decimal(entry, "endPrice")?,
        percent_change: decimal(entry, "percentChange")?,
        rank,
    })
}

fn selection(entry: &Entry, users: &HashMap<String, i64>) -> Result<SelectionRow, String> {
    Ok(SelectionRow {
        id: pk(entry)?,
        option_id: whole_number(field(entry, "option")?, "option")?,
        user_id: user_key(entry, users)?,
    })
}

fn pk(entry: &Entry) -> Result<i64, String> {
    if entry.pk.is_null() {
        return Err("no \"pk\" (a dump made with --natural-primary; dump without it)".into());
    }
    whole_number(&entry.pk, "pk")
}

fn field<'a>(entry: &'a Entry, name: &str) -> Result<&'a Value, String> {
    entry
        .fields
        .get(name)
        .ok_or_else(|| format!("no field {name:?}"))
}

fn text(entry: &Entry, name: &str) -> Result<String, String> {
    match field(entry, name)? {
        Value::String(text) => Ok(text.clone()),
        _ => Err(format!("{name} is not a string")),
    }
}

fn boolean(entry: &Entry, name: &str) -> Result<bool, String> {
    field(entry, name)?
        .as_bool()
        .ok_or_else(|| format!("{name} is not true or false"))
}

/// A decimal's exact text, from a string or a number; `None` for null.
fn decimal(entry: &Entry, name: &str) -> Result<Option<String>, String> {
    match field(entry, name)? {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        Value::Number(number) => Ok(Some(number.to_string())),
        _ => Err(format!("{name} is not a number")),
    }
}

fn whole_number(value: &Value, name: &str) -> Result<i64, String> {
    value
        .as_i64()
        .ok_or_else(|| format!("{name} is not a whole number"))
}

/// The `user` foreign key: an id, or a natural key `["username"]`.
fn user_key(entry: &Entry, users: &HashMap<String, i64>) -> Result<i64, String> {
    match field(entry, "user")? {
        Value::Array(key) => match key.as_slice() {
            [Value::String(username)] => users
                .get(username.as_str())
                .copied()
                .ok_or_else(|| format!("user {username:?} is not in the dump")),
            _ => Err("user is not a natural key [\"username\"]".into()),
        },
        other => whole_number(other, "user"),
    }
}
