//! ACME for real, against Pebble (the ACME test server) with pebble-challtestsrv as its DNS
//! (every name resolves to 127.0.0.1, so Pebble validates HTTP-01 against the proxy's own
//! plain-HTTP port): issue, serve, restart without re-ordering, renew when told to.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use test_support::ports::ReservedPort;
use test_support::process::{clean_command, Process};
use test_support::servers::ProxyServer;

use crate::helpers::start_proxy;
use crate::tls::TestCa;

const DOMAIN: &str = "shop.fattore.test";
const INSTALL: &str =
    "Pebble is not installed: `sudo apt-get install -y pebble` (scripts/test installs it)";

struct Pebble {
    directory: String,
    management: u16,
    /// The CA that signed Pebble's own HTTPS certificate (the proxy trusts it for the API).
    https_ca: std::path::PathBuf,
    _dns: Process,
    _pebble: Process,
    /// Pebble's and its DNS server's ports, which they must be told in advance.
    _ports: [ReservedPort; 5],
}

impl Pebble {
    fn start(dir: &Path, validation_port: u16) -> Self {
        assert!(
            Path::new("/usr/bin/pebble").exists() || which("pebble"),
            "{INSTALL}"
        );
        let ca = TestCa::new();
        let https_ca = dir.join("pebble-https-ca.pem");
        std::fs::write(&https_ca, ca.pem()).unwrap();
        ca.issue(dir, "pebble-https", &["localhost", "127.0.0.1"]);
        let ports: [ReservedPort; 5] = Default::default();
        let [acme_port, management, dns_port, tls_port, dns_management] =
            ports.each_ref().map(ReservedPort::port);
        let config = serde_json::json!({
            "pebble": {
                "listenAddress": format!("127.0.0.1:{acme_port}"),
                "managementListenAddress": format!("127.0.0.1:{management}"),
                "certificate": dir.join("pebble-https.pem"),
                "privateKey": dir.join("pebble-https.key"),
                "httpPort": validation_port,
                "tlsPort": tls_port,
                "ocspResponderURL": "",
                "externalAccountBindingRequired": false
            }
        });
        let config_path = dir.join("pebble-config.json");
        std::fs::write(&config_path, config.to_string()).unwrap();
        let dns = Process::spawn(
            "pebble-challtestsrv",
            clean_command("pebble-challtestsrv")
                .args([
                    "-dns01",
                    &format!("127.0.0.1:{dns_port}"),
                    "-http01",
                    "",
                    "-https01",
                    "",
                    "-tlsalpn01",
                    "",
                ])
                .args([
                    "-management",
                    &format!("127.0.0.1:{dns_management}"),
                    "-defaultIPv4",
                    "127.0.0.1",
                    "-defaultIPv6",
                    "",
                ]),
        );
        let mut pebble = Process::spawn(
            "pebble",
            clean_command("pebble")
                .arg("-config")
                .arg(&config_path)
                .args(["-dnsserver", &format!("127.0.0.1:{dns_port}")])
                .env("PEBBLE_VA_NOSLEEP", "1")
                .env("PEBBLE_WFE_NONCEREJECT", "0"),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", acme_port)).is_err() {
            assert!(
                Instant::now() < deadline && pebble.exited().is_none(),
                "pebble did not start:\n{}",
                pebble.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            directory: format!("https://localhost:{acme_port}/dir"),
            management,
            https_ca,
            _dns: dns,
            _pebble: pebble,
            _ports: ports,
        }
    }

    /// Pebble's issuing root, from its management interface.
    async fn issuing_root(&self) -> String {
        let ca = std::fs::read(&self.https_ca).unwrap();
        let client = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
            .build()
            .unwrap();
        client
            .get(format!("https://localhost:{}/roots/0", self.management))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// The certificate the proxy serves for DOMAIN, verified against Pebble's root.
async fn served_certificate(root_pem: &str, tls_port: u16) -> Option<Vec<u8>> {
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(root_pem.as_bytes()).ok()?)
        .tls_built_in_root_certs(false)
        .tls_info(true)
        .resolve(DOMAIN, SocketAddr::from(([127, 0, 0, 1], tls_port)))
        .timeout(Duration::from_secs(5))
        .build()
        .ok()?;
    let response = client
        .get(format!("https://{DOMAIN}:{tls_port}/"))
        .send()
        .await
        .ok()?;
    response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .map(<[u8]>::to_vec)
}

async fn wait_for_certificate(
    root: &str,
    other_than: Option<&[u8]>,
    proxy: &ProxyServer,
) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(der) = served_certificate(root, proxy.tls_port()).await {
            if other_than != Some(der.as_slice()) {
                return der;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no (new) certificate was served:\n{}",
            proxy.process.log()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_are_obtained_kept_across_restarts_and_renewed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>acme</title>",
    )
    .unwrap();
    // Pebble validates on this port, so the proxy must come back on it after each restart.
    let http_port = ReservedPort::new();
    let pebble = Pebble::start(dir.path(), http_port.port());
    let state = dir.path().join("acme-state");
    let env = |renew: Option<&str>| {
        let mut env = vec![
            (
                "PROXY_LISTEN".to_owned(),
                format!("127.0.0.1:{}", http_port.port()),
            ),
            ("PROXY_TLS_LISTEN".to_owned(), "127.0.0.1:0".to_owned()),
            ("PROXY_ACME_DOMAINS".to_owned(), DOMAIN.to_owned()),
            ("PROXY_ACME_EMAIL".to_owned(), "ops@fattore.test".to_owned()),
            ("PROXY_ACME_DIRECTORY".to_owned(), pebble.directory.clone()),
            (
                "PROXY_ACME_CA_FILE".to_owned(),
                pebble.https_ca.display().to_string(),
            ),
            (
                "PROXY_ACME_STATE_DIR".to_owned(),
                state.display().to_string(),
            ),
            ("PROXY_ACME_CHECK_SECS".to_owned(), "1".to_owned()),
        ];
        if let Some(renew) = renew {
            env.push(("PROXY_ACME_RENEW_BEFORE_SECS".to_owned(), renew.to_owned()));
        }
        env
    };
    let start = |env: Vec<(String, String)>| {
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        start_proxy(dir.path(), "127.0.0.1:9", &pairs)
    };
    let root = pebble.issuing_root().await;

    let proxy = start(env(None));
    let first = wait_for_certificate(&root, None, &proxy).await;
    assert!(
        proxy.process.logged("ACME: certificate issued"),
        "{}",
        proxy.process.log()
    );
    for stored in ["account.json", "certificate.pem", "private-key.pem"] {
        assert!(
            state.join(stored).is_file(),
            "{stored} is kept in the state directory"
        );
    }
    drop(proxy);

    let restarted = start(env(None));
    assert_eq!(
        wait_for_certificate(&root, None, &restarted).await,
        first,
        "the stored certificate is served"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !restarted.process.log().contains("order placed"),
        "no new order after a restart:\n{}",
        restarted.process.log()
    );
    drop(restarted);

    // Told that the certificate is near expiry (renew when less than ten years remain).
    let renewing = start(env(Some("315360000")));
    let renewed = wait_for_certificate(&root, Some(&first), &renewing).await;
    assert_ne!(renewed, first);
    assert!(renewing.process.logged("ACME: ordering a certificate"));
    drop(renewing);

    // Renewal due while the CA is gone: the stored certificate keeps serving, the failure is
    // logged and retried later.
    let failing_env = env(Some("315360000"));
    drop(pebble);
    let failing = start(failing_env);
    assert!(
        failing.process.logged("retrying in"),
        "{}",
        failing.process.log()
    );
    assert_eq!(wait_for_certificate(&root, None, &failing).await, renewed);
}
