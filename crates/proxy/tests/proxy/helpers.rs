//! Real processes and servers for the proxy tests: the `proxy` binary, the `api` binary, and
//! small upstream servers whose behaviour a test controls.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// A static folder holding only an app shell.
pub fn web() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>shell</title>",
    )
    .unwrap();
    dir
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `proxy` process.
pub struct Proxy {
    child: Child,
    pub port: u16,
    log: Arc<Mutex<String>>,
}

impl Proxy {
    /// Starts the proxy with `PROXY_*` settings from `env` (listen address chosen here) and
    /// waits until it answers its health endpoint.
    pub fn start(static_dir: &Path, upstreams: &str, env: &[(&str, &str)]) -> Self {
        Self::start_on(static_dir, free_port(), upstreams, env)
    }

    /// As [`Proxy::start`], on a chosen plain-HTTP port.
    pub fn start_on(static_dir: &Path, port: u16, upstreams: &str, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_proxy"));
        command
            .current_dir(static_dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("RUST_LOG", "info")
            .env("PROXY_LISTEN", format!("127.0.0.1:{port}"))
            .env("PROXY_STATIC_DIR", static_dir)
            .env("PROXY_UPSTREAMS", upstreams)
            .env("PROXY_HEALTH_INTERVAL_SECS", "1")
            .env("PROXY_DNS_REFRESH_SECS", "1")
            .env("PROXY_SHUTDOWN_GRACE_SECS", "1")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("spawn proxy");
        let log = capture(child.stderr.take().unwrap());
        let proxy = Self { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "proxy did not start: {}",
                proxy.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        proxy
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Whether the log shows `text` within a few seconds (stderr is read by another thread, so a
    /// line written just before a response may arrive just after it).
    pub fn logged(&self, text: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if self.log().contains(text) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the proxy reports at least `n` healthy upstreams.
    pub async fn wait_for_healthy(&self, n: u64) {
        let client = client();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(response) = client.get(self.url("/healthz")).send().await {
                let body: Value = response.json().await.unwrap_or_default();
                if body["upstreams_healthy"].as_u64().unwrap_or(0) >= n {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "upstreams never became healthy: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn wait_for_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "proxy did not exit: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn capture(stderr: std::process::ChildStderr) -> Arc<Mutex<String>> {
    let log = Arc::new(Mutex::new(String::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push_str(&(line + "\n"));
        }
    });
    log
}

/// A running `api` process on a temporary SQLite database.
pub struct Api {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Api {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut child = Command::new(api_binary())
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("API_LISTEN", format!("127.0.0.1:{port}"))
            .env("API_WORKERS", "2")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn api");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(child.try_wait().unwrap().is_none(), "api exited at start");
            assert!(Instant::now() < deadline, "api did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `api` binary next to this test's own build output (`cargo test --workspace` builds it).
fn api_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let api = dir.join("api");
    assert!(
        api.is_file(),
        "{} is missing: build the workspace (cargo build -p api)",
        api.display()
    );
    api
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// How a stub upstream answers.
#[derive(Clone, Copy, Debug)]
pub enum Behaviour {
    /// Answers every request with a JSON echo of what it received.
    Echo,
    /// Waits this long before echoing (health checks are still answered at once).
    Slow(Duration),
}

/// A small upstream server: `GET /api/health` is 200; `/api/drop` closes the connection
/// without an answer; everything else gets a JSON echo of the request (method, path, headers,
/// body length and byte sum) and the server's name.
pub struct Stub {
    pub addr: SocketAddr,
    pub hits: Arc<AtomicUsize>,
    tasks: JoinSet<()>,
}

impl Stub {
    pub async fn start(name: &str, behaviour: Behaviour) -> Self {
        Self::start_on(name, "127.0.0.1".parse().unwrap(), 0, behaviour).await
    }

    pub async fn start_on(name: &str, ip: IpAddr, port: u16, behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind((ip, port)).await.expect("bind stub");
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let mut tasks = JoinSet::new();
        let connections = Arc::new(Mutex::new(JoinSet::new()));
        let (server_name, counter, conns) = (name.to_owned(), hits.clone(), connections.clone());
        tasks.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (name, counter) = (server_name.clone(), counter.clone());
                let service = hyper::service::service_fn(move |req| {
                    answer(req, name.clone(), counter.clone(), behaviour)
                });
                conns.lock().unwrap().spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        // Dropping the stub's task set aborts the accept loop; this task ends the connections.
        tasks.spawn(async move {
            let _guard = ConnectionsGuard(connections);
            std::future::pending::<()>().await;
        });
        Self { addr, hits, tasks }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Stops listening and drops every open connection, like a killed process.
    pub fn kill(mut self) {
        self.tasks.abort_all();
    }
}

struct ConnectionsGuard(Arc<Mutex<JoinSet<()>>>);

impl Drop for ConnectionsGuard {
    fn drop(&mut self) {
        self.0.lock().unwrap().abort_all();
    }
}

async fn answer(
    req: Request<Incoming>,
    name: String,
    hits: Arc<AtomicUsize>,
    behaviour: Behaviour,
) -> Result<Response<Full<Bytes>>, std::io::Error> {
    if req.uri().path() == "/api/drop" {
        // Dropped mid-request without an answer, as a crashing handler would.
        return Err(std::io::Error::other("dropped on purpose"));
    }
    if req.uri().path() == "/api/health" {
        return Ok(Response::new(Full::new(Bytes::from_static(
            b"{\"status\":\"ok\"}",
        ))));
    }
    hits.fetch_add(1, Ordering::SeqCst);
    if let Behaviour::Slow(delay) = behaviour {
        tokio::time::sleep(delay).await;
    }
    let method = req.method().to_string();
    let path = req
        .uri()
        .path_and_query()
        .map(|pq| pq.to_string())
        .unwrap_or_default();
    let mut headers: HashMap<String, Vec<String>> = HashMap::new();
    for (key, value) in req.headers() {
        headers
            .entry(key.to_string())
            .or_default()
            .push(value.to_str().unwrap_or("?").to_owned());
    }
    let mut body = req.into_body();
    let (mut len, mut sum) = (0u64, 0u64);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.map(|f| f.into_data()) {
            if let Ok(data) = data {
                len += data.len() as u64;
                sum = data
                    .iter()
                    .fold(sum, |acc, b| acc.wrapping_add(u64::from(*b)));
            }
        } else {
            break;
        }
    }
    let echo = json!({"server": name, "method": method, "path": path, "headers": headers, "body_len": len, "body_sum": sum});
    let mut response = Response::new(Full::new(Bytes::from(echo.to_string())));
    response
        .headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    Ok(response)
}

/// Sends `raw` over a new TCP connection and returns the whole response text.
pub fn raw_request(port: u16, raw: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}
