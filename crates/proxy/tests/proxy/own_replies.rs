//! The replies the proxy writes itself, whatever produced them.

use crate::helpers::{raw_request, start_proxy, web};

/// A raw response split into its status line, its headers (names lower-cased) and its body.
struct Raw {
    status: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Raw {
    fn parse(response: &str) -> Self {
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((response, ""));
        let mut lines = head.lines();
        let status = lines.next().unwrap_or_default().to_owned();
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        Self {
            status,
            headers,
            body: body.to_owned(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The headers a HEAD must repeat: all but the per-response ones (the date, the request's
    /// own id).
    fn comparable_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|(name, _)| name != "date" && name != "x-request-id")
            .cloned()
            .collect()
    }
}

/// `method target` with `headers` on a connection of its own.
fn exchange(port: u16, method: &str, target: &str, headers: &str) -> Raw {
    Raw::parse(&raw_request(
        port,
        &format!("{method} {target} HTTP/1.1\r\nConnection: close\r\n{headers}\r\n"),
    ))
}

fn assert_head_matches_get(get: &Raw, head: &Raw, case: &str) {
    assert_eq!(head.status, get.status, "{case}");
    assert_eq!(
        head.comparable_headers(),
        get.comparable_headers(),
        "{case}"
    );
    assert!(
        head.body.is_empty(),
        "{case}: a HEAD got a body: {:?}",
        head.body
    );
    let length: usize = get
        .header("content-length")
        .unwrap_or_else(|| panic!("{case}: no Content-Length"))
        .parse()
        .unwrap();
    assert_eq!(get.body.len(), length, "{case}: the GET's body");
}

#[tokio::test]
async fn a_head_of_the_proxys_own_errors_gets_the_get_headers_and_no_body() {
    let web = web();
    let proxy = start_proxy(
        web.path(),
        "127.0.0.1:9",
        &[
            ("PROXY_CANONICAL_HOST", "www.example.test"),
            ("PROXY_UNKNOWN_HOST", "reject"),
        ],
    );
    let host = "Host: www.example.test\r\n";
    let cases = [
        ("400", "/a%2fb", host.to_owned()),
        ("404", "/missing.js", host.to_owned()),
        ("413", "/", format!("{host}Content-Length: 5000\r\n")),
        ("421", "/", "Host: elsewhere.example\r\n".to_owned()),
        (
            "431",
            "/",
            format!("{host}X-Filler: {}\r\n", "a".repeat(40 * 1024)),
        ),
    ];
    for (status, target, headers) in &cases {
        let get = exchange(proxy.port(), "GET", target, headers);
        assert!(get.status.contains(status), "{status}: {}", get.status);
        let head = exchange(proxy.port(), "HEAD", target, headers);
        assert_head_matches_get(&get, &head, status);
    }
}

#[tokio::test]
async fn a_head_of_a_429_gets_the_get_headers_and_no_body() {
    let web = web();
    let proxy = start_proxy(
        web.path(),
        "127.0.0.1:9",
        &[
            ("PROXY_RATE_STATIC_PER_SEC", "1"),
            ("PROXY_RATE_STATIC_BURST", "1"),
        ],
    );
    let host = "Host: t\r\n";
    // One token a second: a GET and a HEAD that both find the bucket empty, tried again should
    // a token arrive between them.
    for _ in 0..10 {
        let get = exchange(proxy.port(), "GET", "/", host);
        if !get.status.contains("429") {
            continue;
        }
        let head = exchange(proxy.port(), "HEAD", "/", host);
        if !head.status.contains("429") {
            continue;
        }
        assert!(get.header("retry-after").is_some());
        assert_head_matches_get(&get, &head, "429");
        return;
    }
    panic!("never two 429s in a row: {}", proxy.process.log());
}
