//! What the edge decides before routing: HTTP to HTTPS, the canonical host, unknown hosts.
//! (Header sizes are bounded while pingora reads them, see [`crate::connections`]; an HTTP/1
//! request without `Host` or with ambiguous body framing never gets this far: the vendored
//! pingora-core refuses it as it is read, `vendor/README.md`.)

use pingora::http::RequestHeader;

use crate::cli::{comma_separated, off_when_zero, Options, UnknownHost};

#[derive(Debug, Clone)]
pub struct EdgePolicy {
    /// With TLS on, plain HTTP is redirected to HTTPS on this port.
    pub https_port: Option<u16>,
    pub canonical_host: Option<String>,
    /// Exact names or `*.domain` patterns redirected to the canonical host.
    pub aliases: Vec<String>,
    pub unknown_host: UnknownHost,
    /// The `Strict-Transport-Security` value for HTTPS responses, if enabled.
    pub hsts: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    Serve,
    Redirect(String),
    Misdirected,
    /// A redirect is due but the request target is not in origin form (`OPTIONS *`, an
    /// absolute URI): there is no path to send the client to.
    BadTarget,
}

/// The path and query a redirect keeps: those of an origin-form target (`/path?query`). The
/// other forms (`*`, `http://host/path`, `host:port`) have none, so no `Location` is ever
/// built from them.
pub fn origin_form(req: &RequestHeader) -> Option<&str> {
    // pingora keeps only the path of an absolute-form target in `uri`, and the target as it
    // came in `raw_path`.
    if !req.raw_path().starts_with(b"/") {
        return None;
    }
    req.uri.path_and_query().map(|target| target.as_str())
}

impl EdgePolicy {
    /// The policy the options describe; `tls_port` is the HTTPS listener's port when TLS is on.
    pub fn from_options(options: &Options, tls_port: Option<u16>) -> Self {
        let (hosts, tls) = (&options.host_names, &options.tls);
        Self {
            https_port: tls_port.map(|port| tls.https_port.unwrap_or(port)),
            canonical_host: hosts
                .canonical_host
                .as_deref()
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty()),
            aliases: comma_separated(hosts.host_aliases.as_deref().unwrap_or_default())
                .map(str::to_ascii_lowercase)
                .collect(),
            unknown_host: hosts.unknown_host,
            hsts: off_when_zero(tls.hsts_max_age_secs).map(|max_age| {
                let mut value = format!("max-age={}", max_age.as_secs());
                if tls.hsts_include_subdomains {
                    value.push_str("; includeSubDomains");
                }
                if tls.hsts_preload {
                    value.push_str("; preload");
                }
                value
            }),
        }
    }

    /// The decision for a request that arrived over `tls` for `host` (the Host header, maybe
    /// with a port), whose path and query are `target` ([`origin_form`]; `None` for a target in
    /// any other form).
    pub fn decide(&self, tls: bool, host: Option<&str>, target: Option<&str>) -> Decision {
        let Some((name, port)) = split_host(host.unwrap_or_default()) else {
            // Whatever goes into a Location header must be a plain host name or address.
            return Decision::Misdirected;
        };
        let name = name.to_ascii_lowercase();
        if name.is_empty() && self.https_port.is_some() && !tls && self.canonical_host.is_none() {
            // No Host to send the client to over HTTPS, and plain HTTP is not served.
            return Decision::Misdirected;
        }
        let destination = match &self.canonical_host {
            None => name.clone(),
            Some(canonical) if name == *canonical => canonical.clone(),
            Some(canonical) if self.is_alias(&name) => canonical.clone(),
            Some(canonical) => match self.unknown_host {
                UnknownHost::Reject => return Decision::Misdirected,
                UnknownHost::Redirect => canonical.clone(),
                UnknownHost::Allow => name.clone(),
            },
        };
        let upgrade = self.https_port.is_some() && !tls;
        if !upgrade && destination == name {
            return Decision::Serve;
        }
        let Some(target) = target else {
            return Decision::BadTarget;
        };
        let destination = if destination.contains(':') {
            format!("[{destination}]")
        } else {
            destination
        };
        let location = match self.https_port {
            Some(443) => format!("https://{destination}{target}"),
            Some(port) => format!("https://{destination}:{port}{target}"),
            None => match port {
                Some(port) => format!("http://{destination}:{port}{target}"),
                None => format!("http://{destination}{target}"),
            },
        };
        Decision::Redirect(location)
    }

    fn is_alias(&self, name: &str) -> bool {
        self.aliases
            .iter()
            .any(|alias| match alias.strip_prefix("*.") {
                Some(parent) => {
                    name.len() > parent.len() + 1 && name.ends_with(&format!(".{parent}"))
                }
                None => alias == name,
            })
    }
}

/// A Host header split into name and port, if it is well formed: a DNS name or IPv4 address,
/// or a bracketed IPv6 address, each with an optional numeric port.
fn split_host(host: &str) -> Option<(&str, Option<&str>)> {
    let numeric = |port: &str| {
        !port.is_empty() && port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit())
    };
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => {
            let (ip, after) = rest.split_once(']')?;
            ip.parse::<std::net::Ipv6Addr>().ok()?;
            return match after {
                "" => Some((ip, None)),
                _ => Some((ip, Some(after.strip_prefix(':').filter(|p| numeric(p))?))),
            };
        }
        None => match host.split_once(':') {
            Some((name, port)) => (name, Some(port).filter(|p| numeric(p))?.into()),
            None => (host, None),
        },
    };
    let valid = name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    valid.then_some((name, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(unknown: UnknownHost) -> EdgePolicy {
        EdgePolicy {
            https_port: Some(443),
            canonical_host: Some("www.fattorestreet.com".into()),
            aliases: vec!["fattorestreet.com".into(), "*.fattorestreet.com".into()],
            unknown_host: unknown,
            hsts: None,
        }
    }

    #[test]
    fn plain_http_goes_to_https_on_the_canonical_host_in_one_hop() {
        let edge = policy(UnknownHost::Reject);
        let redirect = |host| edge.decide(false, Some(host), Some("/a?b=1"));
        assert_eq!(
            redirect("www.fattorestreet.com"),
            Decision::Redirect("https://www.fattorestreet.com/a?b=1".into())
        );
        assert_eq!(
            redirect("fattorestreet.com:80"),
            Decision::Redirect("https://www.fattorestreet.com/a?b=1".into())
        );
        assert_eq!(
            redirect("old.fattorestreet.com"),
            Decision::Redirect("https://www.fattorestreet.com/a?b=1".into())
        );
        assert_eq!(
            edge.decide(true, Some("www.fattorestreet.com"), Some("/")),
            Decision::Serve
        );
        assert_eq!(
            edge.decide(true, Some("FattoreStreet.com"), Some("/x")),
            Decision::Redirect("https://www.fattorestreet.com/x".into())
        );
    }

    #[test]
    fn unknown_hosts_follow_the_policy() {
        assert_eq!(
            policy(UnknownHost::Reject).decide(true, Some("evil.example"), Some("/")),
            Decision::Misdirected
        );
        assert_eq!(
            policy(UnknownHost::Redirect).decide(true, Some("evil.example"), Some("/")),
            Decision::Redirect("https://www.fattorestreet.com/".into())
        );
        assert_eq!(
            policy(UnknownHost::Allow).decide(true, Some("evil.example"), Some("/")),
            Decision::Serve
        );
    }

    #[test]
    fn odd_host_headers_never_reach_a_location() {
        let edge = policy(UnknownHost::Redirect);
        for host in [
            "a b.test",
            "evil.test/path",
            "evil.com/x?",
            "x@y.test",
            "a\tb",
            "x:abc",
            "[::1",
            "[nope]:80",
            "a:1:2",
        ] {
            assert_eq!(
                edge.decide(false, Some(host), Some("/")),
                Decision::Misdirected,
                "{host:?}"
            );
        }
    }

    #[test]
    fn without_tls_or_a_canonical_host_nothing_moves() {
        let edge = EdgePolicy {
            https_port: None,
            canonical_host: None,
            aliases: vec![],
            unknown_host: UnknownHost::Allow,
            hsts: None,
        };
        assert_eq!(
            edge.decide(false, Some("anything:8080"), Some("/")),
            Decision::Serve
        );
        let https_only = EdgePolicy {
            https_port: Some(8443),
            ..edge
        };
        assert_eq!(
            https_only.decide(false, Some("host.test:8080"), Some("/p")),
            Decision::Redirect("https://host.test:8443/p".into())
        );
        assert_eq!(
            https_only.decide(false, Some("[::1]:8080"), Some("/p")),
            Decision::Redirect("https://[::1]:8443/p".into())
        );
        assert_eq!(
            https_only.decide(false, None, Some("/p")),
            Decision::Misdirected,
            "no host, no plain HTTP"
        );
    }

    #[test]
    fn a_redirect_is_built_only_from_an_origin_form_target() {
        let target = |raw: &str| {
            let req = RequestHeader::build("GET", raw.as_bytes(), None).unwrap();
            origin_form(&req).map(str::to_owned)
        };
        assert_eq!(target("/a/b?c=1").as_deref(), Some("/a/b?c=1"));
        for other in [
            "*",
            "http://host.test/a",
            "https://host.test",
            "host.test:443",
        ] {
            assert_eq!(target(other), None, "{other:?}");
        }
        let edge = policy(UnknownHost::Redirect);
        assert_eq!(
            edge.decide(false, Some("www.fattorestreet.com"), None),
            Decision::BadTarget
        );
        assert_eq!(
            edge.decide(true, Some("www.fattorestreet.com"), None),
            Decision::Serve,
            "served as it is when nothing redirects it"
        );
    }

    fn from_flags(args: &[&str], tls_port: Option<u16>) -> EdgePolicy {
        use clap::Parser;
        let options = Options::try_parse_from(std::iter::once("proxy").chain(args.iter().copied()))
            .expect("valid flags");
        EdgePolicy::from_options(&options, tls_port)
    }

    #[test]
    fn the_options_describe_the_policy() {
        let edge = from_flags(
            &[
                "--canonical-host",
                " WWW.Example.Test ",
                "--host-aliases",
                "Example.Test, *.example.test,",
                "--hsts-max-age-secs",
                "60",
            ],
            Some(8443),
        );
        assert_eq!(edge.https_port, Some(8443), "the TLS listener's port");
        assert_eq!(edge.canonical_host.as_deref(), Some("www.example.test"));
        assert_eq!(edge.aliases, ["example.test", "*.example.test"]);
        assert_eq!(edge.hsts.as_deref(), Some("max-age=60; includeSubDomains"));
        let own_domain_only = from_flags(
            &[
                "--hsts-max-age-secs",
                "60",
                "--hsts-include-subdomains",
                "false",
            ],
            Some(8443),
        );
        assert_eq!(own_domain_only.hsts.as_deref(), Some("max-age=60"));
        let preloaded = from_flags(
            &["--hsts-max-age-secs", "31536000", "--hsts-preload", "true"],
            Some(8443),
        );
        assert_eq!(
            preloaded.hsts.as_deref(),
            Some("max-age=31536000; includeSubDomains; preload")
        );
        let published = from_flags(&["--https-port", "443"], Some(8443));
        assert_eq!(published.https_port, Some(443));
        let plain = from_flags(&["--https-port", "443"], None);
        assert_eq!(plain.https_port, None, "no redirects without TLS");
    }
}
