//! podman, driven the way an operator would: commands, container state, health checks, logs.

use std::collections::HashMap;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;
use test_support::workspace;

/// The images under test: what `scripts/containers` builds, under compose.yaml's names.
pub fn api_image() -> String {
    std::env::var("FATTORE_API_IMAGE").unwrap_or_else(|_| "localhost/fattore-api:staging".into())
}

pub fn proxy_image() -> String {
    std::env::var("FATTORE_PROXY_IMAGE")
        .unwrap_or_else(|_| "localhost/fattore-proxy:staging".into())
}

/// The PostgreSQL image: compose.yaml's default unless POSTGRES_IMAGE names a stand-in (on
/// machines without a registry, the one `scripts/containers` builds).
pub fn postgres_image() -> Option<String> {
    std::env::var("POSTGRES_IMAGE")
        .ok()
        .filter(|v| !v.is_empty())
}

/// A program run with the project's podman settings, unless the caller chose others.
pub fn command(program: &str) -> Command {
    let mut command = Command::new(program);
    if std::env::var_os("CONTAINERS_CONF").is_none() {
        command.env(
            "CONTAINERS_CONF",
            workspace::root().join("deploy/podman/containers.conf"),
        );
    }
    command
}

pub fn run(args: &[&str]) -> Output {
    command("podman")
        .args(args)
        .output()
        .expect("run podman (scripts/containers installs it)")
}

/// Runs podman and returns its standard output; a failure fails the test with podman's words.
pub fn ok(args: &[&str]) -> String {
    let output = run(args);
    assert!(
        output.status.success(),
        "podman {} failed ({}): {}{}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Names of the containers a `podman ps` filter selects (running ones unless `all`), sorted.
pub fn containers(filters: &[String], all: bool) -> Vec<String> {
    let mut args = vec!["ps", "--format", "{{.Names}}"];
    for filter in filters {
        args.extend(["--filter", filter.as_str()]);
    }
    if all {
        args.push("--all");
    }
    let mut names: Vec<String> = ok(&args).lines().map(str::to_owned).collect();
    names.sort();
    names
}

pub fn inspect(container: &str, format: &str) -> String {
    ok(&["inspect", "--format", format, container])
}

pub fn health(container: &str) -> String {
    inspect(container, "{{.State.Health.Status}}")
}

pub fn is_running(container: &str) -> bool {
    inspect(container, "{{.State.Running}}") == "true"
}

/// Waits until the container's health check has passed; its logs are in the failure message.
pub fn wait_healthy(container: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        if health(container) == "healthy" {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{container} not healthy after {timeout:?} (health {}):\n{}",
            health(container),
            logs(container)
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

pub fn logs(container: &str) -> String {
    let output = run(&["logs", "--tail", "150", container]);
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Prints every selected container's state and logs, for a test that is failing.
pub fn print_logs(filters: &[String]) {
    let names = containers(filters, true);
    eprintln!("---- containers ({}) ----", filters.join(", "));
    for container in &names {
        eprintln!(
            "{container}: {}",
            inspect(
                container,
                "{{.State.Status}} exit {{.State.ExitCode}}, health {{.State.Health.Status}}"
            )
        );
    }
    for container in names {
        eprintln!("---- logs of {container} ----\n{}", logs(&container));
    }
}

/// Runs the selected containers' health checks at the intervals their images or definitions
/// set. That is the engine's job (Docker's daemon, or systemd timers under podman), but this
/// kind of machine has no systemd, so podman alone never runs them and every container would
/// stay "starting". Stops on drop.
pub struct HealthChecks {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HealthChecks {
    pub fn start(filters: Vec<String>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut next: HashMap<String, (Duration, Instant)> = HashMap::new();
            while !flag.load(Ordering::Relaxed) {
                let running = containers(&filters, false);
                next.retain(|name, _| running.contains(name));
                for name in running {
                    let (interval, due) = *next.entry(name.clone()).or_insert_with(|| {
                        let interval = health_interval(&name).unwrap_or(Duration::MAX);
                        (
                            interval,
                            Instant::now().checked_add(interval).unwrap_or(far()),
                        )
                    });
                    if Instant::now() >= due {
                        // Exit status 1 is an unhealthy result: podman records it.
                        let _ = run(&["healthcheck", "run", &name]);
                        next.insert(name, (interval, Instant::now() + interval));
                    }
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

fn far() -> Instant {
    Instant::now() + Duration::from_secs(86_400 * 365)
}

/// The configured interval of a container's health check, if it has one.
fn health_interval(container: &str) -> Option<Duration> {
    let output = run(&[
        "inspect",
        "--format",
        "{{json .Config.Healthcheck}}",
        container,
    ]);
    let config: Value = serde_json::from_slice(&output.stdout).ok()?;
    let nanos = config["Interval"].as_u64().filter(|n| *n > 0)?;
    Some(Duration::from_nanos(nanos))
}

impl Drop for HealthChecks {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A random hex secret (a stand-in for what Secrets Manager or .env would hold).
pub fn secret() -> String {
    let mut bytes = [0u8; 24];
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("read /dev/urandom");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh directory for one test's files, removed on drop.
pub struct Scratch(pub std::path::PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the scratch directory");
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
