//! The workspace's two servers, started for a test: the settings every test starts from, and
//! the port each server got, read from its own "listening on" log line. The servers listen on
//! 127.0.0.1 port 0 unless a test says otherwise, so parallel tests never collide.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::process::Process;

/// How long a server may take from spawn to listening (a debug build, a loaded machine).
const START_LIMIT: Duration = Duration::from_secs(60);

/// A running `api serve`.
pub struct ApiServer {
    pub process: Process,
    /// Where it listens, as it logged it.
    pub address: SocketAddr,
}

impl ApiServer {
    /// Starts `command`, an `api` command line with the test's own settings, and waits for its
    /// "api listening on http://…" line. Settings it leaves out get the tests' defaults:
    /// `API_LISTEN=127.0.0.1:0` and `RUST_LOG=info` (the line is logged at info).
    pub fn start(command: &mut Command) -> Self {
        default_env(command, "API_LISTEN", "127.0.0.1:0");
        default_env(command, "RUST_LOG", "info");
        let process = Process::spawn("api", command);
        // The api logs the line once its listener is bound: it accepts connections from here on.
        let address = listen_address(&process, "api listening on http://");
        Self { process, address }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", reachable(self.address))
    }
}

/// A running `proxy`.
pub struct ProxyServer {
    pub process: Process,
    /// The plain-HTTP listener, as the proxy logged it.
    pub address: SocketAddr,
    /// The HTTPS listener, when one is configured.
    tls_address: Option<SocketAddr>,
}

impl ProxyServer {
    /// Starts `command`, a `proxy` command line with the test's own settings, serving
    /// `static_dir` (also its working directory) and forwarding to `upstreams`, and waits until
    /// every listener it logs accepts connections. Settings it leaves out get the tests'
    /// defaults: listen on 127.0.0.1 port 0, health checks and DNS refreshes every second, one
    /// second of shutdown grace, no rate limits (tests send bursts from one address; the
    /// limits have tests of their own), `RUST_LOG=info`.
    pub fn start(command: &mut Command, static_dir: &Path, upstreams: &str) -> Self {
        command
            .current_dir(static_dir)
            .env("PROXY_STATIC_DIR", static_dir)
            .env("PROXY_UPSTREAMS", upstreams);
        for (key, value) in [
            ("PROXY_LISTEN", "127.0.0.1:0"),
            ("PROXY_HEALTH_INTERVAL_SECS", "1"),
            ("PROXY_DNS_REFRESH_SECS", "1"),
            ("PROXY_SHUTDOWN_GRACE_SECS", "1"),
            ("PROXY_RATE_LOGIN_PER_MIN", "0"),
            ("PROXY_RATE_API_PER_SEC", "0"),
            ("PROXY_RATE_STATIC_PER_SEC", "0"),
            ("RUST_LOG", "info"),
        ] {
            default_env(command, key, value);
        }
        let mut process = Process::spawn("proxy", command);
        // The HTTPS line comes first: once the HTTP one is there, both are.
        let address = listen_address(&process, "proxy listening on http://");
        let tls_address = process
            .log()
            .contains("proxy listening on https://")
            .then(|| listen_address(&process, "proxy listening on https://"));
        // pingora binds its listeners after the proxy has logged them.
        for listener in std::iter::once(address).chain(tls_address) {
            wait_until_accepting(&mut process, reachable(listener));
        }
        Self {
            process,
            address,
            tls_address,
        }
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", reachable(self.address))
    }

    /// The HTTPS listener's port; fails the test when the proxy has none.
    pub fn tls_port(&self) -> u16 {
        self.tls_address
            .unwrap_or_else(|| panic!("the proxy has no HTTPS listener:\n{}", self.process.log()))
            .port()
    }
}

/// Sets `key` unless the command sets it already.
fn default_env(command: &mut Command, key: &str, value: &str) {
    if !command.get_envs().any(|(name, _)| name == key) {
        command.env(key, value);
    }
}

/// The address in the first log line that contains `prefix` (`… listening on http://`),
/// waiting for the line; fails the test with the log when it does not come.
fn listen_address(process: &Process, prefix: &str) -> SocketAddr {
    let line = process
        .wait_for_line(prefix, START_LIMIT)
        .unwrap_or_else(|| panic!("{} did not start:\n{}", process.name(), process.log()));
    let rest = &line[line.find(prefix).expect("the line has the prefix") + prefix.len()..];
    let address = rest.split_whitespace().next().unwrap_or_default();
    address
        .parse()
        .unwrap_or_else(|_| panic!("no ip:port after {prefix:?} in {line:?}"))
}

/// An address to connect to: a server listening on every interface is reached on loopback.
fn reachable(address: SocketAddr) -> SocketAddr {
    if address.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), address.port())
    } else {
        address
    }
}

fn wait_until_accepting(process: &mut Process, address: SocketAddr) {
    let deadline = Instant::now() + START_LIMIT;
    while TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_err() {
        if let Some(status) = process.exited() {
            panic!("{} exited ({status}):\n{}", process.name(), process.log());
        }
        assert!(
            Instant::now() < deadline,
            "{} never accepted connections on {address}:\n{}",
            process.name(),
            process.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
