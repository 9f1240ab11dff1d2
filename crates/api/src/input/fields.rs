//! A JSON object's fields, each parsed into a domain value. Every field is read and every bad
//! field reported at once, as DRF serializers do: `{"shares": ["..."], "buy": ["..."]}`.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::Value;

use super::JsonObject;
use crate::domain::Price;
use crate::error::{ApiError, FieldErrors};

const REQUIRED: &str = "This field is required.";

/// One field's problems: its name and the messages the client sees.
#[derive(Debug)]
pub struct FieldError {
    name: String,
    messages: Vec<String>,
}

impl From<FieldError> for ApiError {
    fn from(err: FieldError) -> Self {
        ApiError::Fields(FieldErrors::from([(err.name, err.messages)]))
    }
}

/// What a field parser reports: usually one message, sometimes several (a password can fail
/// several checks at once, and Django names them all).
#[derive(Debug)]
pub struct Messages(pub Vec<String>);

impl From<String> for Messages {
    fn from(message: String) -> Self {
        Self(vec![message])
    }
}

impl From<&str> for Messages {
    fn from(message: &str) -> Self {
        Self(vec![message.to_owned()])
    }
}

impl JsonObject {
    /// A field that must be present and, when a string, not blank; `parse` turns its JSON value
    /// into a domain value.
    pub fn required<T, E: Into<Messages>>(
        &self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, E>,
    ) -> Result<T, FieldError> {
        // An empty form field: saying it is required helps more than a format message.
        if let Some(Value::String(text)) = self.0.get(name) {
            if text.trim().is_empty() {
                return Err(error(name, REQUIRED.into()));
            }
        }
        self.required_as_given(name, parse)
    }

    /// A field that must be present, its string parsed as given even when blank: credentials,
    /// where a blank one is just a failed login (401), like any other wrong one.
    pub fn required_as_given<T, E: Into<Messages>>(
        &self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, E>,
    ) -> Result<T, FieldError> {
        match self.0.get(name) {
            None => Err(error(name, REQUIRED.into())),
            Some(value) => present(name, value, parse),
        }
    }

    /// A field that may be absent (and then is `None`).
    pub fn optional<T, E: Into<Messages>>(
        &self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, E>,
    ) -> Result<Option<T>, FieldError> {
        self.0
            .get(name)
            .map(|value| present(name, value, parse))
            .transpose()
    }

    /// A field, required or not (a PUT needs every field, a PATCH only those it changes).
    pub fn field<T, E: Into<Messages>>(
        &self,
        name: &str,
        required: bool,
        parse: impl FnOnce(&Value) -> Result<T, E>,
    ) -> Result<Option<T>, FieldError> {
        if required {
            self.required(name, parse).map(Some)
        } else {
            self.optional(name, parse)
        }
    }
}

/// A present field is always parsed, and `null` is never a value.
fn present<T, E: Into<Messages>>(
    name: &str,
    value: &Value,
    parse: impl FnOnce(&Value) -> Result<T, E>,
) -> Result<T, FieldError> {
    match value {
        Value::Null => Err(error(name, "This field may not be null.".into())),
        value => parse(value).map_err(|messages| error(name, messages.into())),
    }
}

fn error(name: &str, messages: Messages) -> FieldError {
    FieldError {
        name: name.to_owned(),
        messages: messages.0,
    }
}

/// The errors of fields read one at a time, for bodies whose fields depend on each other (a
/// transaction's type decides which others it takes): every bad field is still reported at once.
#[derive(Debug, Default)]
pub struct Collected(FieldErrors);

impl Collected {
    /// The value, or `None` with its error kept.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(FieldError { name, messages }) => {
                self.0.entry(name).or_default().extend(messages);
                None
            }
        }
    }

    pub fn add(&mut self, name: &str, message: impl Into<String>) {
        self.0
            .entry(name.to_owned())
            .or_default()
            .push(message.into());
    }

    /// One 400 naming every bad field, or nothing.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Fields(self.0))
        }
    }
}

/// Several fields' results, as a tuple: all their values, or every field's error.
pub trait FieldResults {
    type Values;
    fn all_valid(self) -> Result<Self::Values, ApiError>;
}

/// Every value of `fields` (a tuple of field results), or one 400 listing every bad field.
pub fn all_valid<F: FieldResults>(fields: F) -> Result<F::Values, ApiError> {
    fields.all_valid()
}

macro_rules! field_results {
    ($($value:ident: $type:ident),+) => {
        impl<$($type),+> FieldResults for ($(Result<$type, FieldError>,)+) {
            type Values = ($($type,)+);

            fn all_valid(self) -> Result<Self::Values, ApiError> {
                match self {
                    ($(Ok($value),)+) => Ok(($($value,)+)),
                    ($($value,)+) => {
                        let mut errors = FieldErrors::new();
                        $(
                            if let Err(FieldError { name, messages }) = $value {
                                errors.entry(name).or_default().extend(messages);
                            }
                        )+
                        Err(ApiError::Fields(errors))
                    }
                }
            }
        }
    };
}

field_results!(a: A, b: B);
field_results!(a: A, b: B, c: C);
field_results!(a: A, b: B, c: C, d: D);

/// A domain value parsed from a JSON string: `text(Ticker::parse)`.
pub fn text<T>(parse: impl Fn(&str) -> Result<T, String>) -> impl Fn(&Value) -> Result<T, String> {
    move |value| parse(&string(value)?)
}

/// A domain value parsed from a JSON number or numeric string, digit for digit:
/// `decimal(Shares::parse)`.
pub fn decimal<T>(
    parse: impl Fn(&str) -> Result<T, String>,
) -> impl Fn(&Value) -> Result<T, String> {
    move |value| parse(&decimal_text(value)?)
}

/// A JSON string, as-is.
pub fn string(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        _ => Err("Not a valid string.".into()),
    }
}

/// The text of a JSON number or string, for exact decimal parsing (numbers keep their source
/// digits because serde_json's `arbitrary_precision` is on).
pub fn decimal_text(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err("A valid number is required.".into()),
    }
}

pub fn boolean(value: &Value) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| "Must be a valid boolean.".to_owned())
}

/// `{"SPY": "412.50", "VTI": 230.1}` -> exact prices by upper-case ticker.
pub fn price_map(value: &Value) -> Result<HashMap<String, Decimal>, String> {
    let map = value
        .as_object()
        .ok_or("Expected an object of ticker: price.")?;
    map.iter()
        .map(|(ticker, price)| {
            let price =
                Price::parse(&decimal_text(price)?).map_err(|err| format!("{ticker}: {err}"))?;
            Ok((ticker.trim().to_ascii_uppercase(), price.value()))
        })
        .collect()
}

/// The `option` field: an id, as a JSON number or a numeric string (form-style clients).
pub fn option_id(value: &Value) -> Result<i64, String> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return Err("Incorrect type. Expected pk value.".into()),
    };
    text.parse::<i64>()
        .map_err(|_| format!("Invalid pk \"{text}\" - object does not exist (invalid option)."))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::Shares;

    fn object(value: Value) -> JsonObject {
        match value {
            Value::Object(map) => JsonObject(map),
            _ => unreachable!("the tests pass objects"),
        }
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let body = object(json!({"shares": "-1", "ticker": null}));
        let outcome = all_valid((
            body.required("ticker", string),
            body.required("shares", decimal(Shares::parse)),
            body.required("buy", string),
            body.optional("note", string),
        ));
        let Err(ApiError::Fields(errors)) = outcome else {
            panic!("expected field errors, got {outcome:?}");
        };
        assert_eq!(
            errors.keys().map(String::as_str).collect::<Vec<_>>(),
            ["buy", "shares", "ticker"]
        );
        assert_eq!(errors["buy"], [REQUIRED]);
        assert_eq!(errors["ticker"], ["This field may not be null."]);
    }

    #[test]
    fn valid_fields_give_their_values_and_absent_optional_ones_none() {
        let body = object(json!({"shares": 1.5, "ticker": "spy"}));
        let (ticker, shares, note) = all_valid((
            body.required("ticker", string),
            body.required("shares", decimal(Shares::parse)),
            body.optional("note", string),
        ))
        .unwrap();
        assert_eq!(ticker, "spy");
        assert_eq!(shares.to_string(), "1.50000");
        assert_eq!(note, None);
    }
}
