//! A transaction's body read into a ledger entry: the type decides which fields it takes
//! (BUY and SELL: `quantity`, `price`, `fee`; DIVIDEND: `amount`; SPLIT: `ratio`), a field of
//! another type is refused unless it is `null`, and `account` must name one of the caller's
//! accounts (the first one when left out). The same reading serves the API's bodies and the
//! rows of a CSV import, so both refuse the same input with the same messages.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::fields::{decimal, text, Collected};
use super::JsonObject;
use crate::domain::{
    CurrencyCode, Money, Note, Quantity, Ratio, Ticker, TradeDate, TransactionType,
};
use crate::error::ApiError;
use crate::ledger::Event;
use crate::models::account::Account;
use crate::models::transaction::Entry;

/// Every field a transaction has besides its type's own.
const COMMON: [&str; 6] = ["account", "type", "ticker", "date", "currency", "note"];
/// Every type's own fields.
const OWN: [&str; 5] = ["quantity", "price", "fee", "amount", "ratio"];

/// The entry `body` describes, for an owner with `accounts` (oldest first).
pub fn read_entry(body: &JsonObject, accounts: &[Account]) -> Result<Entry, ApiError> {
    let mut errors = Collected::default();
    let kind = errors.take(body.required("type", text(TransactionType::parse)));
    let account = match body.0.get("account") {
        None => accounts.first().cloned(),
        Some(_) => errors
            .take(body.required("account", |value| account_of(value, accounts)))
            .cloned(),
    };
    let ticker = errors.take(body.required("ticker", text(Ticker::parse)));
    let date = errors.take(body.required("date", text(TradeDate::parse)));
    let note = match body.0.get("note") {
        None | Some(Value::Null) => None,
        // Present, so parsed as given: a blank note is an empty one, not a missing field.
        Some(_) => errors
            .take(body.optional("note", text(Note::parse)))
            .flatten()
            .map(|note| note.as_str().to_owned()),
    };
    // In the ticker's listing currency unless one is given (a US share bought through a
    // euro account, priced in euros).
    let currency = match body.0.get("currency") {
        None | Some(Value::Null) => None,
        Some(_) => errors
            .take(body.optional("currency", text(CurrencyCode::parse)))
            .flatten(),
    };
    let event = kind.and_then(|kind| read_event(body, kind, &mut errors));
    errors.finish()?;
    let (Some(account), Some(ticker), Some(date), Some(event)) = (account, ticker, date, event)
    else {
        return Err(ApiError::field(
            "account",
            "You have no account to hold it; create one first.",
        ));
    };
    let currency = currency.map_or_else(
        || ticker.listing_currency().to_owned(),
        CurrencyCode::into_inner,
    );
    Ok(Entry {
        account_id: account.id,
        ticker: ticker.into_inner(),
        date: date.into_inner(),
        event,
        currency,
        note,
    })
}

fn read_event(body: &JsonObject, kind: TransactionType, errors: &mut Collected) -> Option<Event> {
    for field in OWN {
        let given = body.0.get(field).is_some_and(|value| !value.is_null());
        if given && !kind.fields().contains(&field) {
            errors.add(
                field,
                format!("A {} does not take this field.", kind.as_str()),
            );
        }
    }
    match kind {
        TransactionType::Buy | TransactionType::Sell => {
            let quantity = errors.take(body.required("quantity", decimal(Quantity::parse)));
            let price = errors.take(body.required("price", decimal(Money::parse_positive)));
            let fee = match body.0.get("fee") {
                None | Some(Value::Null) => Some(Decimal::ZERO),
                Some(_) => errors
                    .take(body.optional("fee", decimal(Money::parse)))
                    .flatten()
                    .map(Money::value),
            };
            let (quantity, price, fee) = (quantity?.value(), price?.value(), fee?);
            Some(if kind == TransactionType::Buy {
                Event::Buy {
                    quantity,
                    price,
                    fee,
                }
            } else {
                Event::Sell {
                    quantity,
                    price,
                    fee,
                }
            })
        }
        TransactionType::Dividend => errors
            .take(body.required("amount", decimal(Money::parse_positive)))
            .map(|amount| Event::Dividend {
                amount: amount.value(),
            }),
        TransactionType::Split => errors
            .take(body.required("ratio", decimal(Ratio::parse)))
            .map(|ratio| Event::Split {
                ratio: ratio.value(),
            }),
    }
}

/// `account`: an id (a JSON number or numeric string) of one of `accounts`.
fn account_of<'a>(value: &Value, accounts: &'a [Account]) -> Result<&'a Account, String> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return Err("Incorrect type. Expected pk value.".into()),
    };
    text.parse::<i64>()
        .ok()
        .and_then(|id| accounts.iter().find(|account| account.id == id))
        .ok_or_else(|| format!("Invalid pk \"{text}\" - object does not exist."))
}

/// A PATCH's body over the transaction as it is (`current`, its wire form): the fields given
/// replace the current ones, and when the type changes, the old type's own fields that the
/// new type does not take are dropped.
pub fn merged(current: Map<String, Value>, changes: &JsonObject) -> JsonObject {
    let old_kind = current.get("type").cloned();
    let mut merged: Map<String, Value> = current
        .into_iter()
        .filter(|(name, _)| COMMON.contains(&name.as_str()) || OWN.contains(&name.as_str()))
        .collect();
    for (name, value) in &changes.0 {
        merged.insert(name.clone(), value.clone());
    }
    let new_kind = merged
        .get("type")
        .and_then(Value::as_str)
        .and_then(|raw| TransactionType::parse(raw).ok());
    if let Some(kind) = new_kind {
        if old_kind.as_ref().and_then(Value::as_str) != Some(kind.as_str()) {
            for field in OWN {
                if !kind.fields().contains(&field) && !changes.0.contains_key(field) {
                    merged.remove(field);
                }
            }
        }
    }
    JsonObject(merged)
}
