//! HTTPS from certificate files: HTTP/2 and HTTP/1.1, SNI, redirects, HSTS, reloads, bad input.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use reqwest::{StatusCode, Version};
use serde_json::Value;

use test_support::process::clean_command;
use test_support::servers::ProxyServer;

use crate::helpers::{raw_request, start_proxy, wait_for_healthy, web, Behaviour, Stub};

pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl TestCa {
    pub fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "fattore test CA");
        Self {
            issuer: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// Writes a certificate for `names` and its key to `dir/<stem>.pem` and `dir/<stem>.key`;
    /// returns the certificate's DER.
    pub fn issue(&self, dir: &Path, stem: &str, names: &[&str]) -> Vec<u8> {
        let key = KeyPair::generate().unwrap();
        let params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        std::fs::write(dir.join(format!("{stem}.pem")), cert.pem()).unwrap();
        std::fs::write(dir.join(format!("{stem}.key")), key.serialize_pem()).unwrap();
        cert.der().to_vec()
    }
}

pub fn https_client(ca: &TestCa, tls_port: u16, names: &[&str], http1: bool) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.pem().as_bytes()).unwrap())
        .tls_built_in_root_certs(false)
        .tls_info(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10));
    for name in names {
        builder = builder.resolve(name, SocketAddr::from(([127, 0, 0, 1], tls_port)));
    }
    if http1 {
        builder = builder.http1_only();
    }
    builder.build().unwrap()
}

fn peer_certificate(response: &reqwest::Response) -> Vec<u8> {
    response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .expect("TLS info")
        .to_vec()
}

/// The proxy with an HTTPS listener on 127.0.0.1 port 0 serving the certificates `stems` (as
/// written into `web` by [`TestCa::issue`]); `env` adds or overrides settings.
pub fn start_https(
    web: &Path,
    stems: &[&str],
    upstreams: &str,
    env: &[(&str, &str)],
) -> ProxyServer {
    let files = |extension: &str| {
        let paths: Vec<String> = stems
            .iter()
            .map(|stem| {
                web.join(format!("{stem}.{extension}"))
                    .display()
                    .to_string()
            })
            .collect();
        paths.join(",")
    };
    let (certs, keys) = (files("pem"), files("key"));
    let mut settings = vec![
        ("PROXY_TLS_LISTEN", "127.0.0.1:0"),
        ("PROXY_TLS_CERT", certs.as_str()),
        ("PROXY_TLS_KEY", keys.as_str()),
    ];
    settings.extend_from_slice(env);
    start_proxy(web, upstreams, &settings)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_speaks_http2_and_http1_and_picks_certificates_by_sni() {
    let web = web();
    let ca = TestCa::new();
    let a = ca.issue(web.path(), "a", &["a.test"]);
    let b = ca.issue(web.path(), "b", &["b.test", "*.b.test"]);
    let proxy = start_https(web.path(), &["a", "b"], "127.0.0.1:9", &[]);
    let tls_port = proxy.tls_port();
    let names = ["a.test", "b.test", "www.b.test", "unknown.test"];
    let h2 = https_client(&ca, tls_port, &names, false);
    let response = h2
        .get(format!("https://a.test:{tls_port}/"))
        .send()
        .await
        .expect("HTTPS works");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), Version::HTTP_2);
    assert_eq!(peer_certificate(&response), a);
    let response = h2
        .get(format!("https://www.b.test:{tls_port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(peer_certificate(&response), b, "wildcard SAN");

    let h1 = https_client(&ca, tls_port, &names, true);
    let response = h1
        .get(format!("https://b.test:{tls_port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(peer_certificate(&response), b);

    assert!(
        h2.get(format!("https://unknown.test:{tls_port}/"))
            .send()
            .await
            .is_err(),
        "no certificate for an unknown name"
    );
    let still = h1
        .get(format!("https://a.test:{tls_port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        still.status(),
        StatusCode::OK,
        "other connections keep working: {}",
        proxy.process.log()
    );
}

/// Some clients (wrk, for one) send an IP address as the server name, which RFC 6066 forbids:
/// they get the default certificate, as clients that send no name do, not a failed handshake.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ip_address_sent_as_the_server_name_gets_the_default_certificate() {
    use openssl::ssl::{Ssl, SslConnector, SslMethod, SslVerifyMode};
    use std::io::{Read, Write};

    let web = web();
    let ca = TestCa::new();
    let a = ca.issue(web.path(), "a", &["a.test"]);
    ca.issue(web.path(), "b", &["b.test"]);
    let proxy = start_https(web.path(), &["a", "b"], "127.0.0.1:9", &[]);
    let port = proxy.tls_port();
    let (served, reply) = tokio::task::spawn_blocking(move || {
        let mut builder = SslConnector::builder(SslMethod::tls_client()).unwrap();
        builder.set_verify(SslVerifyMode::NONE);
        let connector = builder.build();
        let mut ssl = Ssl::new(connector.context()).unwrap();
        ssl.set_hostname("127.0.0.1").unwrap();
        let stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut tls = ssl.connect(stream).expect("the handshake succeeds");
        let served = tls.ssl().peer_certificate().unwrap().to_der().unwrap();
        tls.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut reply = Vec::new();
        let _ = tls.read_to_end(&mut reply);
        (served, String::from_utf8_lossy(&reply).into_owned())
    })
    .await
    .unwrap();
    assert_eq!(served, a, "the first certificate loaded is the default");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

/// The cipher a TLS 1.2 handshake to `port` settles on when the client offers `ciphers` in
/// that order of preference; `None` when the server refuses them all.
fn tls12_cipher(port: u16, ciphers: &str) -> Option<String> {
    use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode, SslVersion};

    let mut builder = SslConnector::builder(SslMethod::tls_client()).unwrap();
    builder.set_verify(SslVerifyMode::NONE);
    builder
        .set_max_proto_version(Some(SslVersion::TLS1_2))
        .unwrap();
    builder.set_cipher_list(ciphers).unwrap();
    let stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let tls = builder.build().connect("site.test", stream).ok()?;
    tls.ssl()
        .current_cipher()
        .map(|cipher| cipher.name().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls12_gets_the_servers_choice_of_ecdhe_with_aead_only() {
    let web = web();
    let ca = TestCa::new();
    // rcgen's keys are ECDSA P-256: the ECDSA suites are the ones that apply.
    ca.issue(web.path(), "site", &["site.test"]);
    let proxy = start_https(web.path(), &["site"], "127.0.0.1:9", &[]);
    let port = proxy.tls_port();
    let chosen = tokio::task::spawn_blocking(move || {
        [
            // The client prefers AES-256 and CBC; the server picks its own first choice.
            "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256",
            // A client that prefers ChaCha20 (no AES hardware) gets it.
            "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256",
            // CBC, and no forward secrecy, are never chosen.
            "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA",
            "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256",
        ]
        .map(|ciphers| tls12_cipher(port, ciphers))
    })
    .await
    .unwrap();
    assert_eq!(
        chosen,
        [
            Some("ECDHE-ECDSA-AES128-GCM-SHA256".to_owned()),
            Some("ECDHE-ECDSA-CHACHA20-POLY1305".to_owned()),
            None,
            None,
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_and_other_hosts_are_redirected_to_the_canonical_https_site() {
    let web = web();
    let ca = TestCa::new();
    ca.issue(
        web.path(),
        "site",
        &[
            "www.fattore.test",
            "fattore.test",
            "old.fattore.test",
            "evil.test",
        ],
    );
    let stub = Stub::start("api", Behaviour::Echo).await;
    let proxy = start_https(
        web.path(),
        &["site"],
        &stub.addr.to_string(),
        &[
            ("PROXY_CANONICAL_HOST", "www.fattore.test"),
            ("PROXY_HOST_ALIASES", "fattore.test,*.fattore.test"),
            ("PROXY_HSTS_MAX_AGE_SECS", "31536000"),
            ("PROXY_HSTS_PRELOAD", "true"),
        ],
    );
    let tls_port = proxy.tls_port();
    wait_for_healthy(&proxy, 1).await;
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for host in ["fattore.test", "www.fattore.test", "old.fattore.test:80"] {
        let response = plain
            .get(proxy.url("/a/b?c=1&d=%20"))
            .header("host", host)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT, "{host}");
        assert_eq!(
            response.headers()["location"],
            format!("https://www.fattore.test:{tls_port}/a/b?c=1&d=%20").as_str(),
            "{host}"
        );
    }
    let health = plain
        .get(proxy.url("/healthz"))
        .header("host", "fattore.test")
        .send()
        .await
        .unwrap();
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "the proxy's own health check is never redirected"
    );

    let names = ["www.fattore.test", "fattore.test", "evil.test"];
    let https = https_client(&ca, tls_port, &names, true);
    let alias = https
        .get(format!("https://fattore.test:{tls_port}/x?y=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(alias.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        alias.headers()["location"],
        format!("https://www.fattore.test:{tls_port}/x?y=1").as_str()
    );
    let canonical = https
        .get(format!("https://www.fattore.test:{tls_port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(canonical.status(), StatusCode::OK);
    assert_eq!(
        canonical.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains; preload"
    );
    let unknown = https
        .get(format!("https://evil.test:{tls_port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::MISDIRECTED_REQUEST);

    let api = https
        .get(format!("https://www.fattore.test:{tls_port}/api/echo"))
        .send()
        .await
        .unwrap();
    assert!(api.headers().contains_key("strict-transport-security"));
    let echo: Value = api.json().await.unwrap();
    assert_eq!(echo["headers"]["x-forwarded-proto"][0], "https");
    assert_eq!(
        echo["headers"]["x-forwarded-host"][0],
        format!("www.fattore.test:{tls_port}")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_replaced_on_disk_is_served_without_restart() {
    let web = web();
    let ca = TestCa::new();
    let first = ca.issue(web.path(), "site", &["site.test"]);
    let proxy = start_https(
        web.path(),
        &["site"],
        "127.0.0.1:9",
        &[("PROXY_TLS_RELOAD_SECS", "1")],
    );
    let tls_port = proxy.tls_port();
    let fetch = || async {
        // A new client each time: no pooled connection may hide the new certificate.
        let client = https_client(&ca, tls_port, &["site.test"], true);
        peer_certificate(
            &client
                .get(format!("https://site.test:{tls_port}/"))
                .send()
                .await
                .unwrap(),
        )
    };
    assert_eq!(fetch().await, first);
    let second = ca.issue(web.path(), "site", &["site.test"]);
    let deadline = Instant::now() + Duration::from_secs(15);
    while fetch().await != second {
        assert!(
            Instant::now() < deadline,
            "the new certificate was never served: {}",
            proxy.process.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(proxy.process.logged("reloaded"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_plain_http_on_the_tls_port_fail_cleanly() {
    let web = web();
    let ca = TestCa::new();
    ca.issue(web.path(), "site", &["site.test"]);
    let proxy = start_https(web.path(), &["site"], "127.0.0.1:9", &[]);
    let tls_port = proxy.tls_port();
    let port = tls_port;
    let (garbage, http) = tokio::task::spawn_blocking(move || {
        let garbage = raw_request(port, "\u{0}\u{1}\u{2}this is not a TLS handshake\r\n\r\n");
        let http = raw_request(port, "GET / HTTP/1.1\r\nHost: site.test\r\n\r\n");
        (garbage, http)
    })
    .await
    .unwrap();
    assert!(!garbage.contains("<title>") && !http.contains("<title>"));
    let client = https_client(&ca, tls_port, &["site.test"], false);
    let response = client
        .get(format!("https://site.test:{tls_port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{}", proxy.process.log());
}

#[test]
fn tls_settings_are_checked_at_start() {
    let web = web();
    let run = |env: &[(&str, &str)]| {
        clean_command(env!("CARGO_BIN_EXE_proxy"))
            .env("PROXY_STATIC_DIR", web.path())
            .env("PROXY_LISTEN", "127.0.0.1:1")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    };
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("PROXY_TLS_LISTEN", "127.0.0.1:1")], "PROXY_TLS_CERT"),
        (
            &[("PROXY_TLS_CERT", "a.pem"), ("PROXY_TLS_KEY", "a.key")],
            "PROXY_TLS_LISTEN",
        ),
        (
            &[
                ("PROXY_TLS_LISTEN", "127.0.0.1:1"),
                ("PROXY_TLS_CERT", "a.pem,b.pem"),
                ("PROXY_TLS_KEY", "a.key"),
            ],
            "PROXY_TLS_KEY",
        ),
        (
            &[
                ("PROXY_TLS_LISTEN", "127.0.0.1:1"),
                ("PROXY_TLS_CERT", "/missing.pem"),
                ("PROXY_TLS_KEY", "/missing.key"),
            ],
            "PROXY_TLS_CERT",
        ),
    ];
    for (env, setting) in cases {
        let output = run(env);
        assert_eq!(output.status.code(), Some(2), "{env:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(setting),
            "{env:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_headers_over_https_are_refused_with_431_on_both_protocols() {
    let web = web();
    let ca = TestCa::new();
    ca.issue(web.path(), "a", &["a.test"]);
    let proxy = start_https(web.path(), &["a"], "127.0.0.1:9", &[]);
    let tls_port = proxy.tls_port();
    let url = format!("https://a.test:{tls_port}/");
    for http1 in [false, true] {
        let client = https_client(&ca, tls_port, &["a.test"], http1);
        let refused = client
            .get(&url)
            .header("x-filler", "a".repeat(40 * 1024))
            .send()
            .await
            .unwrap();
        assert_eq!(
            refused.status(),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "http1 {http1}"
        );
        let fine = client.get(&url).send().await.unwrap();
        assert_eq!(fine.status(), StatusCode::OK, "http1 {http1}");
    }
}
