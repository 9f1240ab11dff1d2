//! An upstream as configured (`PROXY_UPSTREAMS`): a name or IP literal and a port, resolved
//! later by [`super::DnsDiscovery`].

use crate::cli::comma_separated;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamTarget {
    pub host: String,
    pub port: u16,
}

/// Why an upstream list is not usable; each names the item at fault.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("{0:?} is not [ipv6]:port")]
    Bracketed(String),
    #[error("{0:?} has no port (expected host:port)")]
    NoPort(String),
    #[error("{0:?} has an invalid port")]
    Port(String),
    #[error("{0:?} has an invalid host name")]
    Host(String),
    #[error("at least one host:port is needed")]
    Empty,
}

impl UpstreamTarget {
    /// A comma-separated list of `host:port` or `[ipv6]:port`.
    pub fn parse_list(raw: &str) -> Result<Vec<Self>, TargetError> {
        let targets = comma_separated(raw)
            .map(Self::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if targets.is_empty() {
            return Err(TargetError::Empty);
        }
        Ok(targets)
    }

    fn parse(item: &str) -> Result<Self, TargetError> {
        let (host, port) = match item.strip_prefix('[') {
            Some(rest) => rest
                .split_once("]:")
                .ok_or_else(|| TargetError::Bracketed(item.to_owned()))?,
            None => item
                .rsplit_once(':')
                .ok_or_else(|| TargetError::NoPort(item.to_owned()))?,
        };
        let port: u16 = port
            .parse()
            .ok()
            .filter(|port| *port != 0)
            .ok_or_else(|| TargetError::Port(item.to_owned()))?;
        let valid_host = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
        if !valid_host {
            return Err(TargetError::Host(item.to_owned()));
        }
        Ok(Self {
            host: host.to_owned(),
            port,
        })
    }
}

impl std::fmt::Display for UpstreamTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstreams_are_names_or_addresses_with_ports() {
        let targets = UpstreamTarget::parse_list("api:8000, 10.0.0.5:9000,[::1]:8000").unwrap();
        assert_eq!(targets.len(), 3);
        assert_eq!(
            targets[0],
            UpstreamTarget {
                host: "api".into(),
                port: 8000
            }
        );
        assert_eq!(targets[2].host, "::1");
        assert_eq!(targets[2].to_string(), "[::1]:8000");
        for bad in ["", "api", "api:", "api:0", "api:99999", "a b:80", ":80"] {
            assert!(UpstreamTarget::parse_list(bad).is_err(), "{bad:?}");
        }
    }
}
