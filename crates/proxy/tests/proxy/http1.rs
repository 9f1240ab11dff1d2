//! HTTP/1 at the edge, byte for byte: requests whose framing another server could read
//! differently (request smuggling) are refused and their connection closed before anything
//! reaches an upstream; HTTP/1.1 needs `Host`; pipelined requests are answered in order;
//! HTTP/1.0 closes unless it asks for keep-alive; redirects come only from origin-form targets.

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{proxy_in_front_of, web, Behaviour, Stub};
use crate::tls::{start_https, TestCa};

/// How long the proxy may take to answer, or to close a connection it must close.
const PATIENCE: Duration = Duration::from_secs(20);

/// A response as read off the wire.
struct Response {
    status: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
}

/// A client connection that writes exact bytes and reads responses one at a time.
struct Connection {
    stream: TcpStream,
    read: Vec<u8>,
}

impl Connection {
    async fn open(port: u16) -> Self {
        Self {
            stream: TcpStream::connect(("127.0.0.1", port)).await.unwrap(),
            read: Vec::new(),
        }
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    /// Reads more into the buffer; false once the proxy closed the connection (or reset it).
    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 4096];
        match tokio::time::timeout(PATIENCE, self.stream.read(&mut chunk)).await {
            Err(_) => panic!(
                "the proxy said nothing for {PATIENCE:?}; read so far: {:?}",
                String::from_utf8_lossy(&self.read)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => false,
            Ok(Ok(n)) => {
                self.read.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    /// The next response (every answer here has a `Content-Length`).
    async fn response(&mut self) -> Response {
        let head_end = loop {
            if let Some(end) = self.read.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            assert!(
                self.fill().await,
                "closed before a whole response header: {:?}",
                String::from_utf8_lossy(&self.read)
            );
        };
        let head = String::from_utf8_lossy(&self.read[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(name, _)| name == "content-length")
            .map_or(0, |(_, value)| value.parse().unwrap());
        let end = head_end + 4 + length;
        while self.read.len() < end {
            assert!(self.fill().await, "closed in the middle of a body");
        }
        let body = self.read[head_end + 4..end].to_vec();
        self.read.drain(..end);
        Response {
            status,
            headers,
            body,
        }
    }

    /// Whether the proxy closes the connection without sending anything more.
    async fn closes(&mut self) -> bool {
        let closed = !self.fill().await;
        assert!(
            self.read.is_empty(),
            "more after the last response: {:?}",
            String::from_utf8_lossy(&self.read)
        );
        closed
    }
}

/// Sends `request` on a new connection: the one answer, and that the connection closed after it.
async fn refused(port: u16, request: &str) -> Response {
    let mut connection = Connection::open(port).await;
    connection.send(request.as_bytes()).await;
    let response = connection.response().await;
    assert!(
        connection.closes().await,
        "{request:?} left the connection open"
    );
    response
}

async fn proxy_and_stub() -> (tempfile::TempDir, Stub, test_support::servers::ProxyServer) {
    let web = web();
    let stub = Stub::start("api", Behaviour::Echo).await;
    let proxy = proxy_in_front_of(web.path(), &[&stub], &[]).await;
    (web, stub, proxy)
}

/// Request smuggling with both lengths: where one server on the path ends the body, another
/// reads on, and takes what follows for a request of its own.
const BOTH_LENGTHS: [&str; 3] = [
    // CL.TE: read as chunked, the body ends at once and the rest is a second request.
    "POST /api/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 45\r\nTransfer-Encoding: chunked\r\n\r\n\
     0\r\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: t\r\n\r\n",
    // TE.CL: read by its Content-Length, the body is `2b\r\n` and the chunk's data is a
    // second request.
    "POST /api/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n\
     2b\r\nGET /api/smuggled HTTP/1.1\r\nHost: t\r\n\r\n\r\n0\r\n\r\n",
    // Content-Length: 0 beside chunked is no excuse either.
    "GET /api/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n\
     0\r\n\r\n",
];

#[tokio::test]
async fn content_length_beside_transfer_encoding_is_a_400_that_closes() {
    let (_web, stub, proxy) = proxy_and_stub().await;
    for request in BOTH_LENGTHS {
        let response = refused(proxy.port(), request).await;
        assert!(response.status.starts_with("HTTP/1.1 400"), "{request:?}");
        assert_eq!(response.header("connection"), Some("close"), "{request:?}");
    }
    assert_eq!(
        stub.received(),
        Vec::<String>::new(),
        "nothing was forwarded"
    );
}

#[tokio::test]
async fn a_content_length_list_or_repeat_is_a_400_that_closes() {
    let (_web, stub, proxy) = proxy_and_stub().await;
    for lengths in [
        "Content-Length: 3, 3\r\n",
        "Content-Length: 3,3\r\n",
        "Content-Length: 3\r\nContent-Length: 3\r\n",
        "Content-Length: 3\r\nContent-Length: 30\r\n",
        "Content-Length: +3\r\n",
        "Content-Length: 0x3\r\n",
    ] {
        let request = format!(
            "POST /api/echo HTTP/1.1\r\nHost: t\r\n{lengths}\r\nabcGET /api/smuggled HTTP/1.1\r\nHost: t\r\n\r\n"
        );
        let response = refused(proxy.port(), &request).await;
        assert!(response.status.starts_with("HTTP/1.1 400"), "{lengths:?}");
    }
    assert_eq!(
        stub.received(),
        Vec::<String>::new(),
        "nothing was forwarded"
    );
}

#[tokio::test]
async fn a_transfer_encoding_other_than_chunked_is_a_501_that_closes() {
    let (_web, stub, proxy) = proxy_and_stub().await;
    for codings in [
        "Transfer-Encoding: gzip, chunked\r\n",
        "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: chunked, chunked\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: identity\r\n",
        "Transfer-Encoding: gzip\r\n",
        "Transfer-Encoding: chunked;q=1\r\n",
        "Transfer-Encoding: \r\n",
    ] {
        let request =
            format!("POST /api/echo HTTP/1.1\r\nHost: t\r\n{codings}\r\n5\r\nhello\r\n0\r\n\r\n");
        let response = refused(proxy.port(), &request).await;
        assert!(response.status.starts_with("HTTP/1.1 501"), "{codings:?}");
    }
    // HTTP/1.0 has no transfer codings at all.
    let response = refused(
        proxy.port(),
        "POST /api/echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    )
    .await;
    assert!(response.status.starts_with("HTTP/1.1 400"));
    assert_eq!(
        stub.received(),
        Vec::<String>::new(),
        "nothing was forwarded"
    );
}

#[tokio::test]
async fn a_bare_lf_in_chunk_framing_is_a_400_that_closes() {
    let (_web, stub, proxy) = proxy_and_stub().await;
    let bodies = [
        // httparse takes the LF into a chunk extension and reads one 3-byte chunk; a server
        // that ends the line at the LF reads `abc` as the size of the next chunk, 2748 bytes.
        "3;x\nabc\r\nabc\r\n0\r\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: t\r\n\r\n",
        "5\nhello\r\n0\r\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: t\r\n\r\n",
        "5\r\nhello\n0\r\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: t\r\n\r\n",
        "5\r\nhello\r\n0\n\nGET /api/smuggled HTTP/1.1\r\nHost: t\r\n\r\n",
        "5\r\nhello\r\n0\r\nX-Trailer: 1\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: t\r\n\r\n",
        // A CRLF inside a quoted chunk extension: httparse ends the line there, a parser
        // that reads quoted strings whole does not.
        "3;a=\"\r\nabc\r\n0\r\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: t\r\n\r\n",
        // No size at all, which httparse read as the last chunk.
        "\r\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: t\r\n\r\n",
    ];
    for body in bodies {
        let request = format!(
            "POST /api/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n{body}"
        );
        let response = refused(proxy.port(), &request).await;
        assert!(
            response.status.starts_with("HTTP/1.1 400"),
            "{body:?}: {}",
            response.status
        );
        assert_eq!(response.header("connection"), Some("close"), "{body:?}");
    }
    let received = stub.received();
    assert!(
        received.iter().all(|text| !text.contains("smuggled")),
        "{received:?}"
    );
    // Whatever of each refused request reached the upstream never became a whole request:
    // the echo answered none of them.
    assert!(
        stub.request_lines()
            .iter()
            .all(|line| line == "POST /api/echo HTTP/1.1"),
        "{received:?}"
    );
}

#[tokio::test]
async fn a_valid_chunked_post_is_forwarded_whole_and_the_connection_kept() {
    let (_web, stub, proxy) = proxy_and_stub().await;
    let mut connection = Connection::open(proxy.port()).await;
    connection
        .send(
            b"POST /api/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: Chunked\r\n\r\n\
              5;name=value\r\nhello\r\n6;q=\"a \\\"b\\\"\"\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n",
        )
        .await;
    let response = connection.response().await;
    assert!(
        response.status.starts_with("HTTP/1.1 200"),
        "{}",
        response.status
    );
    assert_eq!(response.json()["body_len"], 11);
    assert_eq!(response.header("connection"), Some("keep-alive"));
    connection
        .send(b"GET /api/after HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await;
    let after = connection.response().await;
    assert_eq!(after.json()["path"], "/api/after");
    assert!(connection.closes().await);
    assert_eq!(
        stub.request_lines(),
        ["POST /api/echo HTTP/1.1", "GET /api/after HTTP/1.1"]
    );
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order() {
    let (_web, stub, proxy) = proxy_and_stub().await;
    let mut connection = Connection::open(proxy.port()).await;
    // All in one segment: forwarded, forwarded with a body, the proxy's own, a static file.
    connection
        .send(
            b"GET /api/one HTTP/1.1\r\nHost: t\r\n\r\n\
              POST /api/two HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc\
              GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n\
              GET / HTTP/1.1\r\nHost: t\r\n\r\n",
        )
        .await;
    let one = connection.response().await;
    assert!(one.status.starts_with("HTTP/1.1 200"), "{}", one.status);
    assert_eq!(one.json()["path"], "/api/one");
    assert_eq!(one.header("connection"), Some("keep-alive"));
    let two = connection.response().await;
    assert_eq!(two.json()["path"], "/api/two");
    assert_eq!(two.json()["body_len"], 3);
    let health = connection.response().await;
    assert_eq!(health.json()["status"], "ok");
    let page = connection.response().await;
    assert!(page.status.starts_with("HTTP/1.1 200"), "{}", page.status);
    assert!(String::from_utf8_lossy(&page.body).contains("<title>shell</title>"));

    // Still open, and a pair that ends with Connection: close is answered, then closed.
    connection
        .send(
            b"GET /api/three HTTP/1.1\r\nHost: t\r\n\r\n\
              GET /api/four HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        )
        .await;
    assert_eq!(connection.response().await.json()["path"], "/api/three");
    let four = connection.response().await;
    assert_eq!(four.json()["path"], "/api/four");
    assert_eq!(four.header("connection"), Some("close"));
    assert!(connection.closes().await);
    assert_eq!(
        stub.request_lines(),
        [
            "GET /api/one HTTP/1.1",
            "POST /api/two HTTP/1.1",
            "GET /api/three HTTP/1.1",
            "GET /api/four HTTP/1.1",
        ]
    );
}

#[tokio::test]
async fn a_request_sent_while_the_previous_one_is_answered_waits_its_turn() {
    let web = web();
    let stub = Stub::start("api", Behaviour::Slow(Duration::from_millis(500))).await;
    let proxy = proxy_in_front_of(web.path(), &[&stub], &[]).await;
    let mut connection = Connection::open(proxy.port()).await;
    connection
        .send(b"GET /api/first HTTP/1.1\r\nHost: t\r\n\r\n")
        .await;
    // The upstream is still on the first when the second arrives.
    tokio::time::sleep(Duration::from_millis(100)).await;
    connection
        .send(b"GET /api/second HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await;
    assert_eq!(connection.response().await.json()["path"], "/api/first");
    assert_eq!(connection.response().await.json()["path"], "/api/second");
    assert!(connection.closes().await);
    assert_eq!(
        stub.request_lines(),
        ["GET /api/first HTTP/1.1", "GET /api/second HTTP/1.1"]
    );
}

#[tokio::test]
async fn http10_closes_unless_it_asks_for_keep_alive() {
    let (_web, _stub, proxy) = proxy_and_stub().await;
    for target in ["/healthz", "/api/echo", "/"] {
        let request = format!("GET {target} HTTP/1.0\r\n\r\n");
        let mut connection = Connection::open(proxy.port()).await;
        connection.send(request.as_bytes()).await;
        let response = connection.response().await;
        assert!(
            response.status.contains(" 200"),
            "{target}: {}",
            response.status
        );
        assert_eq!(response.header("connection"), Some("close"), "{target}");
        assert!(connection.closes().await, "{target}: left open");
    }

    let mut kept = Connection::open(proxy.port()).await;
    kept.send(b"GET /api/echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .await;
    let first = kept.response().await;
    assert_eq!(first.header("connection"), Some("keep-alive"));
    kept.send(b"GET /healthz HTTP/1.0\r\n\r\n").await;
    let second = kept.response().await;
    assert_eq!(second.json()["status"], "ok");
    assert!(kept.closes().await, "the second asked for no keep-alive");
}

#[tokio::test]
async fn http11_without_host_is_a_400_on_the_plain_listener() {
    let (_web, stub, proxy) = proxy_and_stub().await;
    for target in ["/", "/api/echo", "/healthz", "http://t/api/echo"] {
        let response = refused(proxy.port(), &format!("GET {target} HTTP/1.1\r\n\r\n")).await;
        assert!(response.status.starts_with("HTTP/1.1 400"), "{target}");
    }
    assert_eq!(
        stub.received(),
        Vec::<String>::new(),
        "nothing was forwarded"
    );
}

/// `request` over TLS to `port` (SNI `name`, HTTP/1.1 only), and what came back until the
/// proxy closed the connection.
async fn over_tls(port: u16, name: &'static str, request: &'static str) -> String {
    use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
    use std::io::{Read, Write};

    tokio::task::spawn_blocking(move || {
        let mut builder = SslConnector::builder(SslMethod::tls_client()).unwrap();
        builder.set_verify(SslVerifyMode::NONE);
        let connector = builder.build();
        let stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut tls = connector
            .connect(name, stream)
            .expect("the handshake succeeds");
        tls.write_all(request.as_bytes()).unwrap();
        let mut reply = Vec::new();
        let closed = tls.read_to_end(&mut reply);
        assert!(
            closed.is_ok() || !reply.is_empty(),
            "{request:?}: nothing back: {closed:?}"
        );
        String::from_utf8_lossy(&reply).into_owned()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http11_without_host_is_a_400_over_tls_and_on_the_redirect_listener() {
    let web = web();
    let ca = TestCa::new();
    ca.issue(web.path(), "site", &["site.test"]);
    let proxy = start_https(web.path(), &["site"], "127.0.0.1:9", &[]);
    let reply = over_tls(proxy.tls_port(), "site.test", "GET / HTTP/1.1\r\n\r\n").await;
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
    let fine = over_tls(
        proxy.tls_port(),
        "site.test",
        "GET / HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(fine.starts_with("HTTP/1.1 200"), "{fine}");

    // The plain listener of an HTTPS proxy only redirects: without Host, not even that.
    let response = refused(proxy.port(), "GET /x HTTP/1.1\r\n\r\n").await;
    assert!(response.status.starts_with("HTTP/1.1 400"));
    assert_eq!(response.header("location"), None);
}

#[tokio::test]
async fn redirects_are_built_only_from_origin_form_targets() {
    let web = web();
    let ca = TestCa::new();
    ca.issue(web.path(), "site", &["site.test"]);
    let proxy = start_https(web.path(), &["site"], "127.0.0.1:9", &[]);
    let tls_port = proxy.tls_port();
    for request in [
        "OPTIONS * HTTP/1.1\r\nHost: site.test\r\n\r\n",
        "GET http://site.test/x HTTP/1.1\r\nHost: site.test\r\n\r\n",
        "GET https://site.test HTTP/1.1\r\nHost: site.test\r\n\r\n",
    ] {
        let mut connection = Connection::open(proxy.port()).await;
        connection.send(request.as_bytes()).await;
        let response = connection.response().await;
        assert!(
            response.status.starts_with("HTTP/1.1 400"),
            "{request:?}: {}",
            response.status
        );
        assert_eq!(response.header("location"), None, "{request:?}");
    }
    let mut connection = Connection::open(proxy.port()).await;
    connection
        .send(b"GET /x?y=1 HTTP/1.1\r\nHost: site.test\r\n\r\n")
        .await;
    let redirect = connection.response().await;
    assert!(redirect.status.starts_with("HTTP/1.1 308"));
    assert_eq!(
        redirect.header("location"),
        Some(format!("https://site.test:{tls_port}/x?y=1").as_str())
    );
}
