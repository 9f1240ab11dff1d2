//! Upstream discovery through DNS, re-run periodically by the load balancer's background task,
//! so a scaled compose service or a replaced ECS task is followed without a restart.

use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use pingora::lb::discovery::ServiceDiscovery;
use pingora::lb::Backend;

use super::target::UpstreamTarget;

const RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

pub struct DnsDiscovery {
    targets: Vec<UpstreamTarget>,
    hosts_file: Option<PathBuf>,
    /// The last addresses each name resolved to: a failed lookup keeps them rather than
    /// emptying the pool because of a DNS hiccup.
    last_known: Mutex<HashMap<String, Vec<SocketAddr>>>,
}

impl DnsDiscovery {
    pub fn new(targets: Vec<UpstreamTarget>, hosts_file: Option<PathBuf>) -> Self {
        Self {
            targets,
            hosts_file,
            last_known: Mutex::new(HashMap::new()),
        }
    }

    async fn resolve(&self, target: &UpstreamTarget) -> Result<Vec<SocketAddr>, String> {
        if let Ok(ip) = target.host.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, target.port)]);
        }
        if let Some(path) = &self.hosts_file {
            let listed = hosts_file_lookup(path, &target.host).await?;
            if !listed.is_empty() {
                return Ok(listed
                    .into_iter()
                    .map(|ip| SocketAddr::new(ip, target.port))
                    .collect());
            }
        }
        let lookup = tokio::net::lookup_host((target.host.as_str(), target.port));
        match tokio::time::timeout(RESOLVE_TIMEOUT, lookup).await {
            Ok(Ok(addrs)) => Ok(addrs.collect()),
            Ok(Err(err)) => Err(err.to_string()),
            Err(_) => Err(format!("no answer within {RESOLVE_TIMEOUT:?}")),
        }
    }
}

#[async_trait]
impl ServiceDiscovery for DnsDiscovery {
    async fn discover(&self) -> pingora::Result<(BTreeSet<Backend>, HashMap<u64, bool>)> {
        let mut backends = BTreeSet::new();
        for target in &self.targets {
            let name = target.to_string();
            let addrs = match self.resolve(target).await {
                Ok(addrs) if !addrs.is_empty() => {
                    let mut known = self.last_known.lock().expect("discovery lock");
                    if known.get(&name) != Some(&addrs) {
                        log::info!("upstream {name} resolves to {addrs:?}");
                    }
                    known.insert(name, addrs.clone());
                    addrs
                }
                failed => {
                    let cause = failed.err().unwrap_or_else(|| "no addresses".to_owned());
                    let known = self.last_known.lock().expect("discovery lock");
                    let kept = known.get(&name).cloned().unwrap_or_default();
                    log::error!("upstream {name} does not resolve ({cause}); keeping {kept:?}");
                    kept
                }
            };
            for addr in addrs {
                match Backend::new(&addr.to_string()) {
                    Ok(backend) => {
                        backends.insert(backend);
                    }
                    Err(err) => log::error!("upstream address {addr}: {err}"),
                }
            }
        }
        Ok((backends, HashMap::new()))
    }
}

/// Addresses listed for `name` in a hosts-format file (`address name [aliases…]`).
async fn hosts_file_lookup(path: &PathBuf, name: &str) -> Result<Vec<IpAddr>, String> {
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|err| format!("{}: {err}", path.display()))?;
    Ok(parse_hosts(&text, name))
}

fn parse_hosts(text: &str, name: &str) -> Vec<IpAddr> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let ip: IpAddr = fields.next()?.parse().ok()?;
            fields
                .any(|field| field.eq_ignore_ascii_case(name))
                .then_some(ip)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_files_list_every_address_of_a_name() {
        let text = "# comment\n127.0.0.2 api api.local\n127.0.0.3\tAPI # second\n10.0.0.1 other\nbad line\n";
        let ips = parse_hosts(text, "api");
        assert_eq!(
            ips,
            vec![
                "127.0.0.2".parse::<IpAddr>().unwrap(),
                "127.0.0.3".parse().unwrap()
            ]
        );
        assert!(parse_hosts(text, "missing").is_empty());
    }
}
