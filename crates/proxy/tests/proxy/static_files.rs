use std::io::Read;

use reqwest::StatusCode;

use test_support::servers::ProxyServer;

use crate::helpers::{client, raw_request, start_proxy};

/// A web root with one file of every type, plus traps around it.
struct Site {
    dir: tempfile::TempDir,
    big: Vec<u8>,
}

impl Site {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let web = dir.path().join("web");
        let write = |name: &str, data: &[u8]| {
            let path = web.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, data).unwrap();
        };
        let page = format!(
            "<!doctype html><title>shell</title>{}",
            "<p>lorem ipsum</p>".repeat(100)
        );
        write("index.html", page.as_bytes());
        write("docs/index.html", b"<!doctype html><title>docs</title>");
        let script = "console.log('fingerprinted');\n".repeat(100);
        write("app.3f9a1c.js", script.as_bytes());
        write("app.js", script.as_bytes());
        for name in [
            "mod.mjs",
            "style.css",
            "data.json",
            "logo.svg",
            "a.png",
            "a.jpg",
            "a.webp",
            "favicon.ico",
            "font.woff2",
            "mod.wasm",
            "app.js.map",
            "robots.txt",
        ] {
            write(name, b"x");
        }
        write("pre.js", "console.log('source');\n".repeat(100).as_bytes());
        std::thread::sleep(std::time::Duration::from_millis(20));
        write("pre.js.br", b"PRECOMPRESSED-BROTLI-BYTES");
        write(".env", b"SECRET_KEY=dotfile-secret");
        write(".git/config", b"[core] dotfile-secret");
        std::fs::create_dir_all(web.join("assets/empty")).unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"TOP-SECRET-OUTSIDE").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), web.join("link-out.txt"))
            .unwrap();
        std::os::unix::fs::symlink(web.join("robots.txt"), web.join("link-in.txt")).unwrap();
        let big: Vec<u8> = (0..3 * 1024 * 1024u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        write("big.bin", &big);
        Self { dir, big }
    }

    fn web(&self) -> std::path::PathBuf {
        self.dir.path().join("web")
    }

    fn proxy(&self) -> ProxyServer {
        start_proxy(&self.web(), "127.0.0.1:9", &[])
    }
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap())
}

fn assert_security_headers(response: &reqwest::Response) {
    assert_eq!(header(response, "x-content-type-options"), "nosniff");
    assert_eq!(header(response, "x-frame-options"), "DENY");
    assert!(header(response, "content-security-policy").contains("frame-ancestors"));
    assert!(!header(response, "referrer-policy").is_empty());
    assert_eq!(
        header(response, "cross-origin-opener-policy"),
        "same-origin"
    );
    assert!(header(response, "permissions-policy").contains("camera=()"));
}

#[tokio::test]
async fn files_are_served_with_their_content_types() {
    let site = Site::new();
    let proxy = site.proxy();
    let client = client();
    let cases = [
        ("/", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/mod.mjs", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/data.json", "application/json"),
        ("/logo.svg", "image/svg+xml"),
        ("/a.png", "image/png"),
        ("/a.jpg", "image/jpeg"),
        ("/a.webp", "image/webp"),
        ("/favicon.ico", "image/x-icon"),
        ("/font.woff2", "font/woff2"),
        ("/mod.wasm", "application/wasm"),
        ("/app.js.map", "application/json"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ];
    for (path, content_type) in cases {
        let response = client.get(proxy.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&response, "content-type"), content_type, "{path}");
        assert!(!header(&response, "content-length").is_empty(), "{path}");
        assert_security_headers(&response);
    }
}

#[tokio::test]
async fn routes_fall_back_to_the_app_but_missing_files_are_404() {
    let site = Site::new();
    let proxy = site.proxy();
    let client = client();
    let index = std::fs::read_to_string(site.web().join("index.html")).unwrap();
    for path in [
        "/",
        "/portfolio",
        "/wallstreet/week/2024-01-07",
        "/assets",
        "/assets/empty/",
    ] {
        let response = client.get(proxy.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&response, "cache-control"), "no-cache", "{path}");
        assert_eq!(response.text().await.unwrap(), index, "{path}");
    }
    let docs = client.get(proxy.url("/docs/")).send().await.unwrap();
    assert!(docs.text().await.unwrap().contains("<title>docs</title>"));
    for path in [
        "/assets/app-x.js",
        "/missing.css",
        "/docs/nothing.png",
        "/assets/missing.js/",
        "/foo%2ejs",
    ] {
        let response = client.get(proxy.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_security_headers(&response);
        assert!(!response.text().await.unwrap().contains("<html"), "{path}");
    }
    let symlinked = client.get(proxy.url("/link-in.txt")).send().await.unwrap();
    assert_eq!(symlinked.status(), StatusCode::OK);
}

#[tokio::test]
async fn validators_give_304s() {
    let site = Site::new();
    let proxy = site.proxy();
    let client = client();
    let first = client.get(proxy.url("/app.js")).send().await.unwrap();
    let etag = header(&first, "etag").to_owned();
    let modified = header(&first, "last-modified").to_owned();
    assert!(etag.starts_with('"'));
    let by_etag = client
        .get(proxy.url("/app.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(by_etag.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&by_etag, "etag"), etag);
    assert!(by_etag.bytes().await.unwrap().is_empty());
    let by_date = client
        .get(proxy.url("/app.js"))
        .header("if-modified-since", &modified)
        .send()
        .await
        .unwrap();
    assert_eq!(by_date.status(), StatusCode::NOT_MODIFIED);
    let stale = client
        .get(proxy.url("/app.js"))
        .header("if-none-match", "\"other\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
}

#[tokio::test]
async fn single_ranges_give_206_and_impossible_ones_416() {
    let site = Site::new();
    let proxy = site.proxy();
    let client = client();
    let part = client
        .get(proxy.url("/big.bin"))
        .header("range", "bytes=1000000-1000099")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header(&part, "content-range"),
        format!("bytes 1000000-1000099/{}", site.big.len())
    );
    assert_eq!(
        part.bytes().await.unwrap().as_ref(),
        &site.big[1_000_000..1_000_100]
    );
    let tail = client
        .get(proxy.url("/robots.txt"))
        .header("range", "bytes=-1")
        .send()
        .await
        .unwrap();
    assert_eq!(tail.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail.text().await.unwrap(), "x");
    let beyond = client
        .get(proxy.url("/big.bin"))
        .header("range", "bytes=99999999-")
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        header(&beyond, "content-range"),
        format!("bytes */{}", site.big.len())
    );
}

#[tokio::test]
async fn large_files_stream_whole_and_head_sends_no_body() {
    let site = Site::new();
    let proxy = site.proxy();
    let client = client();
    let whole = client.get(proxy.url("/big.bin")).send().await.unwrap();
    assert_eq!(header(&whole, "content-length"), site.big.len().to_string());
    assert_eq!(whole.bytes().await.unwrap().as_ref(), site.big.as_slice());
    let head = client.head(proxy.url("/big.bin")).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(header(&head, "content-length"), site.big.len().to_string());
    assert!(head.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn text_is_compressed_when_the_client_accepts_it() {
    let site = Site::new();
    let proxy = site.proxy();
    let client = client();
    let original = std::fs::read(site.web().join("app.js")).unwrap();

    let gzip = client
        .get(proxy.url("/app.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&gzip, "content-encoding"), "gzip");
    assert_eq!(header(&gzip, "vary"), "Accept-Encoding");
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(gzip.bytes().await.unwrap().as_ref())
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, original);

    let brotli = client
        .get(proxy.url("/app.js"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&brotli, "content-encoding"), "br");
    let body = brotli.bytes().await.unwrap();
    assert!(body.len() < original.len() / 4);
    let mut decoded = Vec::new();
    brotli::Decompressor::new(body.as_ref(), 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, original);

    let plain = client.get(proxy.url("/app.js")).send().await.unwrap();
    assert_eq!(header(&plain, "content-encoding"), "");
    assert_eq!(header(&plain, "vary"), "Accept-Encoding");
    assert_eq!(plain.bytes().await.unwrap().as_ref(), original.as_slice());

    let image = client
        .get(proxy.url("/a.png"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&image, "content-encoding"), "");
}

#[tokio::test]
async fn precompressed_siblings_are_preferred() {
    let site = Site::new();
    let proxy = site.proxy();
    let response = client()
        .get(proxy.url("/pre.js"))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&response, "content-encoding"), "br");
    assert_eq!(response.text().await.unwrap(), "PRECOMPRESSED-BROTLI-BYTES");
    let gzip = client()
        .get(proxy.url("/pre.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&gzip, "content-encoding"),
        "gzip",
        "no .gz sibling: compressed on the fly"
    );
}

#[tokio::test]
async fn caching_policy_depends_on_the_file() {
    let site = Site::new();
    let proxy = site.proxy();
    let client = client();
    let cases = [
        ("/", "no-cache"),
        ("/app.3f9a1c.js", "public, max-age=31536000, immutable"),
        ("/app.js", "public, max-age=300"),
    ];
    for (path, expected) in cases {
        let response = client.get(proxy.url(path)).send().await.unwrap();
        assert_eq!(header(&response, "cache-control"), expected, "{path}");
    }
}

#[tokio::test]
async fn nothing_outside_the_root_or_hidden_is_ever_served() {
    let site = Site::new();
    let proxy = site.proxy();
    let attempts = [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/robots.txt%00.png",
        "/%2f..%2fsecret.txt",
        "//../secret.txt",
        "/link-out.txt",
        "/.env",
        "/.git/config",
        "/%2eenv",
        "/etc/passwd",
        "/%2fetc%2fpasswd",
    ];
    for path in attempts {
        let response = raw_request(
            proxy.port(),
            &format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"),
        );
        let status_line = response.lines().next().unwrap_or_default().to_owned();
        assert!(!response.contains("TOP-SECRET"), "{path}: {status_line}");
        assert!(
            !response.contains("dotfile-secret"),
            "{path}: {status_line}"
        );
        assert!(!response.contains("root:x:0:0"), "{path}: {status_line}");
        let shell = status_line.contains(" 200") && response.contains("<title>shell</title>");
        assert!(
            status_line.contains(" 400") || status_line.contains(" 404") || shell,
            "{path}: {status_line}"
        );
    }
    let absolute = raw_request(
        proxy.port(),
        "GET http://test/../secret.txt HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
    );
    assert!(!absolute.contains("TOP-SECRET"));
}

#[tokio::test]
async fn only_get_and_head_reach_static_files() {
    let site = Site::new();
    let proxy = site.proxy();
    let client = client();
    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let response = client
            .request(method.clone(), proxy.url("/app.js"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method}"
        );
        assert_eq!(header(&response, "allow"), "GET, HEAD");
        assert_security_headers(&response);
    }
    let with_body = client
        .get(proxy.url("/app.js"))
        .body(vec![b'x'; 5000])
        .send()
        .await
        .unwrap();
    assert_eq!(with_body.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn oversized_headers_are_refused() {
    let site = Site::new();
    let proxy = site.proxy();
    let response = client()
        .get(proxy.url("/"))
        .header("x-filler", "a".repeat(40 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );
}
