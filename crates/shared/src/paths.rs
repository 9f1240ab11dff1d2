//! The API's public paths, written once: the api routes them, the proxy forwards them by
//! default, and neither answers them with the web UI's `index.html`.

/// The canonical API's prefix.
pub const API_PREFIX: &str = "/api/";
/// The old Django portfolio app's API, kept as aliases for the existing React client.
pub const PORTFOLIO_API_PREFIX: &str = "/portfolio/api/";
/// The old Django Wall Street app's API, kept as aliases likewise.
pub const WALLSTREET_API_PREFIX: &str = "/wallstreet/api/";

/// Path prefixes that belong to the API: the canonical `/api/` and the old Django apps' own.
pub const API_PREFIXES: &[&str] = &[API_PREFIX, PORTFOLIO_API_PREFIX, WALLSTREET_API_PREFIX];

/// [`API_PREFIXES`] as one comma-separated setting value (`PROXY_API_PREFIXES`' default).
pub const API_PREFIXES_SETTING: &str = "/api/,/portfolio/api/,/wallstreet/api/";

/// The api's health endpoint: liveness plus a database check, 200 or 503.
pub const API_HEALTH: &str = "/api/health";

/// Where each service serves its Prometheus metrics: outside every API prefix, so the proxy
/// never forwards a client's request for the api's.
pub const METRICS: &str = "/metrics";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_lists_exactly_the_prefixes() {
        assert_eq!(API_PREFIXES_SETTING, API_PREFIXES.join(","));
    }

    #[test]
    fn the_metrics_path_is_under_no_api_prefix() {
        assert!(!API_PREFIXES
            .iter()
            .any(|prefix| METRICS.starts_with(prefix.trim_end_matches('/'))));
    }

    #[test]
    fn the_health_path_is_an_api_path() {
        assert!(API_PREFIXES
            .iter()
            .any(|prefix| API_HEALTH.starts_with(prefix)));
    }
}
