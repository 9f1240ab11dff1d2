//! The upstream API servers: discovered through DNS, checked actively in the background and
//! passively on failures, and picked round-robin.

mod discovery;
mod passive;
mod target;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use pingora::lb::health_check::HttpHealthCheck;
use pingora::lb::selection::RoundRobin;
use pingora::lb::{Backend, Backends, LoadBalancer};
use pingora::services::background::{background_service, GenBackgroundService};

pub use discovery::DnsDiscovery;
pub use passive::PassiveHealth;
pub use target::{TargetError, UpstreamTarget};

/// What the upstream set is built from (part of the parsed configuration).
#[derive(Debug, Clone)]
pub struct UpstreamSettings {
    pub targets: Vec<UpstreamTarget>,
    pub hosts_file: Option<PathBuf>,
    /// Requested from every upstream by the active health check; 200 means healthy.
    pub health_path: String,
    pub health_interval: Duration,
    pub dns_refresh: Duration,
    /// How long an upstream that just failed is skipped; `None` turns passive health off.
    pub passive_cooldown: Option<Duration>,
    pub connect_timeout: Duration,
}

/// What the request path needs from the upstream set.
pub struct Upstreams {
    balancer: Arc<LoadBalancer<RoundRobin>>,
    passive: PassiveHealth,
}

/// How many backends a selection may walk past before giving up.
const MAX_SELECTION_STEPS: usize = 256;

impl Upstreams {
    /// The upstream set and the background service that keeps it fresh (DNS and health).
    pub fn new(
        settings: &UpstreamSettings,
    ) -> (Arc<Self>, GenBackgroundService<LoadBalancer<RoundRobin>>) {
        let discovery = DnsDiscovery::new(settings.targets.clone(), settings.hosts_file.clone());
        let mut backends = Backends::new(Box::new(discovery));
        let host = settings
            .targets
            .first()
            .map_or("localhost", |t| t.host.as_str());
        let mut check = HttpHealthCheck::new(host, false);
        check.req.set_uri(
            settings
                .health_path
                .parse()
                .expect("validated absolute path"),
        );
        check.consecutive_failure = 1;
        check.consecutive_success = 1;
        check.peer_template.options.connection_timeout =
            Some(settings.connect_timeout.min(Duration::from_secs(2)));
        backends.set_health_check(Box::new(check));
        let mut balancer = LoadBalancer::from_backends(backends);
        balancer.health_check_frequency = Some(settings.health_interval);
        balancer.update_frequency = Some(settings.dns_refresh);
        balancer.parallel_health_check = true;
        let service = background_service("upstreams", balancer);
        let upstreams = Arc::new(Self {
            balancer: service.task(),
            passive: PassiveHealth::new(settings.passive_cooldown),
        });
        (upstreams, service)
    }

    /// The next upstream, round-robin, not already tried for this request: preferably healthy
    /// and not cooling down after a failure; else healthy even if cooling (one dropped
    /// connection must not take the only upstream out); when none is healthy at all, any
    /// (health checks lag behind recoveries).
    pub fn select(&self, tried: &[SocketAddr]) -> Option<SocketAddr> {
        let untried =
            |backend: &Backend| backend.as_inet().is_some_and(|addr| !tried.contains(addr));
        let cooling = |backend: &Backend| {
            backend
                .as_inet()
                .is_some_and(|addr| self.passive.is_cooling(addr))
        };
        self.balancer
            .select_with(b"", MAX_SELECTION_STEPS, |backend, healthy| {
                healthy && untried(backend) && !cooling(backend)
            })
            .or_else(|| {
                self.balancer
                    .select_with(b"", MAX_SELECTION_STEPS, |backend, healthy| {
                        healthy && untried(backend)
                    })
            })
            .or_else(|| {
                if self.healthy_count() > 0 {
                    return None;
                }
                self.balancer
                    .select_with(b"", MAX_SELECTION_STEPS, |backend, _| untried(backend))
            })
            .and_then(|backend| backend.as_inet().copied())
    }

    pub fn mark_failed(&self, addr: SocketAddr) {
        self.passive.mark_failed(addr);
    }

    /// Known upstream addresses.
    pub fn total_count(&self) -> usize {
        self.balancer.backends().get_backend().len()
    }

    /// Every known upstream address and whether it passes its active health check.
    pub fn health(&self) -> Vec<(SocketAddr, bool)> {
        let backends = self.balancer.backends();
        backends
            .get_backend()
            .iter()
            .filter_map(|b| b.as_inet().map(|addr| (*addr, backends.ready(b))))
            .collect()
    }

    /// Upstream addresses passing their active health check.
    pub fn healthy_count(&self) -> usize {
        let backends = self.balancer.backends();
        backends
            .get_backend()
            .iter()
            .filter(|b| backends.ready(b))
            .count()
    }
}
