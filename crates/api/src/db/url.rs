//! `DATABASE_URL` parsing: which backend, and where.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// A database location whose backend is known.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A `postgres://` or `postgresql://` connection URL, passed to libpq as given.
    Postgres(String),
    /// A SQLite database file; its folder is created on first use.
    Sqlite(PathBuf),
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"));
        match path {
            Some("") => {
                Err("a sqlite URL needs a file path, e.g. sqlite://data/app.sqlite3".into())
            }
            Some(path) => Ok(Self::Sqlite(PathBuf::from(path))),
            None => Err(format!(
                "expected postgres://… or sqlite://path, got {:?}",
                redact(raw)
            )),
        }
    }
}

/// The URL with any password replaced, for logs and error messages.
fn redact(raw: &str) -> String {
    match (raw.find("://"), raw.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &raw[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &raw[..scheme_end + 3], &raw[at..]),
                None => raw.to_owned(),
            }
        }
        _ => raw.to_owned(),
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Postgres(url) => f.write_str(&redact(url)),
            Self::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_backend_from_the_scheme() {
        assert_eq!(
            "sqlite://data/app.sqlite3".parse::<DatabaseUrl>(),
            Ok(DatabaseUrl::Sqlite("data/app.sqlite3".into()))
        );
        assert_eq!(
            "sqlite:///tmp/x.db".parse::<DatabaseUrl>(),
            Ok(DatabaseUrl::Sqlite("/tmp/x.db".into()))
        );
        assert!(matches!(
            "postgresql://u:p@db/app".parse::<DatabaseUrl>(),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!("mysql://x".parse::<DatabaseUrl>().is_err());
        assert!("sqlite://".parse::<DatabaseUrl>().is_err());
    }

    #[test]
    fn passwords_never_reach_display() {
        let url: DatabaseUrl = "postgres://app:hunter2@db:5432/app".parse().unwrap();
        assert_eq!(url.to_string(), "postgres://app:***@db:5432/app");
    }
}
