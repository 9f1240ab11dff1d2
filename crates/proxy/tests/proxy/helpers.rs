//! The proxy under test and what stands around it: its static folder, the fixture that starts
//! it (the binary and the settings every test shares come from `test_support`), and small
//! upstream servers whose behaviour a test controls.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use test_support::process::clean_command;
use test_support::servers::ProxyServer;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
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

/// The proxy binary under test, serving `static_dir` and forwarding to `upstreams`, with the
/// tests' shared settings; `env` adds or overrides `PROXY_*` settings.
pub fn start_proxy(static_dir: &Path, upstreams: &str, env: &[(&str, &str)]) -> ProxyServer {
    let mut command = clean_command(env!("CARGO_BIN_EXE_proxy"));
    command.envs(env.iter().copied());
    ProxyServer::start(&mut command, static_dir, upstreams)
}

/// A proxy in front of `stubs`, once it counts every one of them healthy.
pub async fn proxy_in_front_of(
    static_dir: &Path,
    stubs: &[&Stub],
    env: &[(&str, &str)],
) -> ProxyServer {
    let upstreams: Vec<String> = stubs.iter().map(|stub| stub.addr.to_string()).collect();
    let proxy = start_proxy(static_dir, &upstreams.join(","), env);
    wait_for_healthy(&proxy, stubs.len()).await;
    proxy
}

/// Waits until the proxy reports at least `n` healthy upstreams.
pub async fn wait_for_healthy(proxy: &ProxyServer, n: usize) {
    let client = client();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(response) = client.get(proxy.url("/healthz")).send().await {
            let body: Value = response.json().await.unwrap_or_default();
            if body["upstreams_healthy"].as_u64().unwrap_or(0) >= n as u64 {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "upstreams never became healthy: {}",
            proxy.process.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
/// body length and byte sum) and the server's name. It keeps every byte each connection
/// brought, as sent ([`Stub::received`]).
pub struct Stub {
    pub addr: SocketAddr,
    pub hits: Arc<AtomicUsize>,
    /// The request line of every request it read, in order, but for the health checks and
    /// `/api/drop`.
    requests: Arc<Mutex<Vec<String>>>,
    received: Received,
    tasks: JoinSet<()>,
}

/// The bytes each connection to a stub brought, one entry per connection.
type Received = Arc<Mutex<Vec<Vec<u8>>>>;

/// A connection to a stub that copies what it reads into its entry of [`Received`].
struct Recorded<S> {
    stream: S,
    received: Received,
    connection: usize,
}

impl<S: AsyncRead + Unpin> AsyncRead for Recorded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let read = Pin::new(&mut self.stream).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = read {
            self.received.lock().unwrap()[self.connection]
                .extend_from_slice(&buf.filled()[before..]);
        }
        read
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recorded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

impl Stub {
    pub async fn start(name: &str, behaviour: Behaviour) -> Self {
        Self::start_on(name, "127.0.0.1".parse().unwrap(), 0, behaviour).await
    }

    pub async fn start_on(name: &str, ip: IpAddr, port: u16, behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind((ip, port)).await.expect("bind stub");
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let received = Received::default();
        let mut tasks = JoinSet::new();
        let connections = Arc::new(Mutex::new(JoinSet::new()));
        let (server_name, counter, conns) = (name.to_owned(), hits.clone(), connections.clone());
        let record = received.clone();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        tasks.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let connection = {
                    let mut received = record.lock().unwrap();
                    received.push(Vec::new());
                    received.len() - 1
                };
                let stream = Recorded {
                    stream,
                    received: record.clone(),
                    connection,
                };
                let (name, counter) = (server_name.clone(), counter.clone());
                let lines = seen.clone();
                let service = hyper::service::service_fn(move |req| {
                    answer(req, name.clone(), counter.clone(), lines.clone(), behaviour)
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
        Self {
            addr,
            hits,
            requests,
            received,
            tasks,
        }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// What each connection brought, as text, but for the health checks' connections.
    pub fn received(&self) -> Vec<String> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
            .filter(|text| !text.is_empty() && !text.starts_with("GET /api/health "))
            .collect()
    }

    /// The request lines of the requests it read (as its HTTP server parsed them, whether or
    /// not their bodies came whole), in order, but for the health checks and `/api/drop`.
    pub fn request_lines(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
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
    requests: Arc<Mutex<Vec<String>>>,
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
    requests.lock().unwrap().push(format!(
        "{} {} {:?}",
        req.method(),
        req.uri(),
        req.version()
    ));
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

/// A process's resident memory in KiB, from its `/proc/<pid>/status`: now (`VmRSS`) and at
/// its peak so far (`VmHWM`).
pub fn resident_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Lets this test process hold many sockets at once (the soft limit is often 1024).
pub fn allow_many_sockets() {
    rlimit::increase_nofile_limit(u64::MAX).expect("raise the open-files limit");
}
