//! The log format both binaries write, set up once per process: one line per record, as text
//! for people (`LOG_FORMAT=text`, the default) or as one JSON object for CloudWatch, Loki and
//! the like (`LOG_FORMAT=json`).
//!
//! A line has the time (UTC, RFC 3339), level, target and message; then the fields of the
//! request being served, when there is one ([`RequestContext`]: `request_id`, `method`, `path`,
//! `client_ip`); then the record's own key-values (`log::info!(status = 200; "...")`), numbers
//! as JSON numbers.

use std::fmt::{self, Display};
use std::io::{self, Write};

use log::kv::{self, Key, Value, VisitSource};
use log::Record;
use serde::ser::{Serialize, Serializer};

use crate::request::RequestContext;

/// How log lines are written (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// `[time LEVEL target] message key=value …`
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Starts the logger, honouring `RUST_LOG` and falling back to `default_filter`.
///
/// Safe to call more than once (tests start several servers in one process): the first call
/// wins.
pub fn init(default_filter: &str, format: LogFormat) {
    let env = env_logger::Env::default().default_filter_or(default_filter);
    let _ = env_logger::Builder::from_env(env)
        .format(move |buf, record| {
            let time = buf.timestamp_millis();
            match format {
                LogFormat::Text => write_text(buf, &time, record),
                LogFormat::Json => write_json(buf, &time, record),
            }
        })
        .try_init();
}

fn write_text(out: &mut dyn Write, time: &dyn Display, record: &Record) -> io::Result<()> {
    write!(
        out,
        "[{time} {:<5} {}] {}",
        record.level(),
        record.target(),
        record.args()
    )?;
    RequestContext::with_current(|context| -> io::Result<()> {
        write!(out, " request_id={}", context.id)?;
        text_value(out, "method", &context.method)?;
        text_value(out, "path", &context.path)?;
        match context.client_ip {
            Some(ip) => write!(out, " client_ip={ip}"),
            None => Ok(()),
        }
    })
    .transpose()?;
    record
        .key_values()
        .visit(&mut TextFields(out))
        .map_err(io::Error::other)?;
    writeln!(out)
}

/// ` key=value`, the value quoted (Rust string syntax) when it would not read as one word.
fn text_value(out: &mut dyn Write, key: &str, value: &dyn Display) -> io::Result<()> {
    let mut word = OneWord {
        empty: true,
        plain: true,
    };
    // Checked through the Display rather than a String made for every value.
    let _ = fmt::write(&mut word, format_args!("{value}"));
    if word.plain && !word.empty {
        write!(out, " {key}={value}")
    } else {
        write!(out, " {key}={:?}", value.to_string())
    }
}

/// Whether what is written reads as one word: something, all printable ASCII, no `"` or `=`.
struct OneWord {
    empty: bool,
    plain: bool,
}

impl fmt::Write for OneWord {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.empty &= s.is_empty();
        self.plain &= s
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '=');
        Ok(())
    }
}

struct TextFields<'a>(&'a mut dyn Write);

impl<'kvs> VisitSource<'kvs> for TextFields<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), kv::Error> {
        text_value(self.0, key.as_str(), &value).map_err(kv::Error::boxed)
    }
}

fn write_json(out: &mut dyn Write, time: &dyn Display, record: &Record) -> io::Result<()> {
    let mut line = JsonLine { out, first: true };
    line.field("time", &Text(time))?;
    line.field("level", &Text(&record.level()))?;
    line.field("target", record.target())?;
    line.field("message", &Text(record.args()))?;
    RequestContext::with_current(|context| -> io::Result<()> {
        line.field("request_id", context.id.as_str())?;
        line.field("method", &context.method)?;
        line.field("path", &context.path)?;
        match context.client_ip {
            Some(ip) => line.field("client_ip", &Text(&ip)),
            None => Ok(()),
        }
    })
    .transpose()?;
    record
        .key_values()
        .visit(&mut line)
        .map_err(io::Error::other)?;
    line.out.write_all(b"}\n")
}

/// A JSON object being written field by field, straight to the output.
struct JsonLine<'a> {
    out: &'a mut dyn Write,
    first: bool,
}

impl JsonLine<'_> {
    fn field(&mut self, key: &str, value: &(impl Serialize + ?Sized)) -> io::Result<()> {
        self.out.write_all(if self.first { b"{" } else { b"," })?;
        self.first = false;
        serde_json::to_writer(&mut *self.out, key)?;
        self.out.write_all(b":")?;
        serde_json::to_writer(&mut *self.out, value)?;
        Ok(())
    }
}

impl<'kvs> VisitSource<'kvs> for JsonLine<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), kv::Error> {
        self.field(key.as_str(), &JsonValue(value))
            .map_err(kv::Error::boxed)
    }
}

/// A `Display` value as a JSON string, escaped as it is written rather than built first.
struct Text<'a, T: ?Sized>(&'a T);

impl<T: Display + ?Sized> Serialize for Text<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

/// A record's value: numbers and booleans as themselves, anything else as a string.
struct JsonValue<'v>(Value<'v>);

impl Serialize for JsonValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value = &self.0;
        if let Some(n) = value.to_u64() {
            serializer.serialize_u64(n)
        } else if let Some(n) = value.to_i64() {
            serializer.serialize_i64(n)
        } else if let Some(n) = value.to_f64().filter(|n| n.is_finite()) {
            serializer.serialize_f64(n)
        } else if let Some(b) = value.to_bool() {
            serializer.serialize_bool(b)
        } else {
            serializer.collect_str(value)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};
    use std::sync::Arc;

    use super::*;
    use crate::request::RequestId;

    fn line(format: LogFormat, record: &Record) -> String {
        let mut out = Vec::new();
        let time = "2030-01-06T14:30:00.000Z";
        match format {
            LogFormat::Text => write_text(&mut out, &time, record),
            LogFormat::Json => write_json(&mut out, &time, record),
        }
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    fn context() -> Arc<RequestContext> {
        Arc::new(RequestContext {
            id: RequestId::parse(b"abc-123").unwrap(),
            method: "POST".into(),
            path: "/api/token".into(),
            client_ip: Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        })
    }

    /// Writes one record, with fields, as `log::info!(target: "access", status = 201,
    /// duration_ms = 1.5, note = "two words"; "done \"now\"")` would.
    fn access_line(format: LogFormat) -> String {
        let fields: [(&str, Value); 3] = [
            ("status", Value::from(201u16)),
            ("duration_ms", Value::from(1.5f64)),
            ("note", Value::from("two words")),
        ];
        line(
            format,
            &Record::builder()
                .args(format_args!("done \"now\""))
                .level(log::Level::Info)
                .target("access")
                .key_values(&fields)
                .build(),
        )
    }

    #[test]
    fn a_json_line_is_one_object_with_the_request_and_the_record_fields() {
        let text = context().sync_scope(|| access_line(LogFormat::Json));
        assert!(text.ends_with("}\n") && text.lines().count() == 1, "{text}");
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({
                "time": "2030-01-06T14:30:00.000Z",
                "level": "INFO",
                "target": "access",
                "message": "done \"now\"",
                "request_id": "abc-123",
                "method": "POST",
                "path": "/api/token",
                "client_ip": "127.0.0.1",
                "status": 201,
                "duration_ms": 1.5,
                "note": "two words",
            })
        );
    }

    #[test]
    fn a_text_line_ends_with_the_fields_quoting_what_is_not_one_word() {
        let text = context().sync_scope(|| access_line(LogFormat::Text));
        assert_eq!(
            text,
            "[2030-01-06T14:30:00.000Z INFO  access] done \"now\" request_id=abc-123 \
             method=POST path=/api/token client_ip=127.0.0.1 status=201 duration_ms=1.5 \
             note=\"two words\"\n"
        );
    }

    #[test]
    fn outside_a_request_a_line_has_only_its_own_fields() {
        let text = access_line(LogFormat::Json);
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(parsed.get("request_id").is_none(), "{text}");
        assert_eq!(parsed["status"], 201);
    }
}
