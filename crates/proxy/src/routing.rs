//! Which way a request goes, decided by its path alone: the proxy's health endpoint, the API
//! (forwarded upstream), or a static file.

use crate::cli::comma_separated;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Health,
    Static,
    Api,
}

impl Route {
    pub fn of(path: &str, health_path: &str, api_prefixes: &ApiPrefixes) -> Self {
        if path == health_path {
            Route::Health
        } else if api_prefixes.matches(path) {
            Route::Api
        } else {
            Route::Static
        }
    }
}

/// The path prefixes forwarded to the upstreams, each starting and ending with `/`.
#[derive(Debug, Clone)]
pub struct ApiPrefixes(Vec<String>);

/// Why a prefix list is not usable.
#[derive(Debug, thiserror::Error)]
pub enum PrefixError {
    #[error("at least one prefix is needed")]
    Empty,
    #[error("{0:?} must start and end with / (e.g. /api/)")]
    NotSlashDelimited(String),
}

impl ApiPrefixes {
    /// A comma-separated list, as `PROXY_API_PREFIXES` gives it.
    pub fn parse(raw: &str) -> Result<Self, PrefixError> {
        let prefixes: Vec<String> = comma_separated(raw).map(str::to_owned).collect();
        if prefixes.is_empty() {
            return Err(PrefixError::Empty);
        }
        if let Some(bad) = prefixes
            .iter()
            .find(|prefix| !prefix.starts_with('/') || !prefix.ends_with('/'))
        {
            return Err(PrefixError::NotSlashDelimited(bad.clone()));
        }
        Ok(Self(prefixes))
    }

    /// Whether `path` goes to the upstreams: it starts with a prefix, or is one without its
    /// trailing slash (`/api`).
    pub fn matches(&self, path: &str) -> bool {
        self.0
            .iter()
            .any(|prefix| path.starts_with(prefix.as_str()) || path == prefix.trim_end_matches('/'))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_slash_delimited() {
        assert!(ApiPrefixes::parse("/api/,/x/").is_ok());
        assert!(ApiPrefixes::parse("/api").is_err());
        assert!(ApiPrefixes::parse("api/").is_err());
        assert!(ApiPrefixes::parse(" , ").is_err());
    }

    #[test]
    fn a_prefix_matches_below_it_and_itself_without_the_slash() {
        let prefixes = ApiPrefixes::parse(shared::paths::API_PREFIXES_SETTING).unwrap();
        for path in ["/api/", "/api/users/", "/api", "/wallstreet/api/options/"] {
            assert!(prefixes.matches(path), "{path}");
        }
        for path in ["/", "/apis", "/api-docs", "/portfolio/", "/x/api/"] {
            assert!(!prefixes.matches(path), "{path}");
        }
    }

    #[test]
    fn the_health_path_wins_over_an_api_prefix() {
        let prefixes = ApiPrefixes::parse("/api/").unwrap();
        assert_eq!(Route::of("/api/up", "/api/up", &prefixes), Route::Health);
        assert_eq!(Route::of("/api/x", "/api/up", &prefixes), Route::Api);
        assert_eq!(Route::of("/app", "/api/up", &prefixes), Route::Static);
    }
}
