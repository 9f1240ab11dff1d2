//! The API's public paths, written once: the api routes them, the proxy forwards them by
//! default, and neither answers them with the web UI's `index.html`.

/// Path prefixes that belong to the API: the canonical `/api/` and the old Django apps' own.
pub const API_PREFIXES: &[&str] = &["/api/", "/portfolio/api/", "/wallstreet/api/"];

/// [`API_PREFIXES`] as one comma-separated setting value (`PROXY_API_PREFIXES`' default).
pub const API_PREFIXES_SETTING: &str = "/api/,/portfolio/api/,/wallstreet/api/";

/// The api's health endpoint: liveness plus a database check, 200 or 503.
pub const API_HEALTH: &str = "/api/health";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_lists_exactly_the_prefixes() {
        assert_eq!(API_PREFIXES_SETTING, API_PREFIXES.join(","));
    }

    #[test]
    fn the_health_path_is_an_api_path() {
        assert!(API_PREFIXES
            .iter()
            .any(|prefix| API_HEALTH.starts_with(prefix)));
    }
}
