//! One VM without a load balancer: compose.yaml with deploy/compose.vm.yaml, the proxy
//! terminating TLS itself. The certificate is a test one (Let's Encrypt is out of reach from
//! here), given the way an operator brings their own: PROXY_TLS_CERT/PROXY_TLS_KEY, through a
//! third override file the test writes, which also publishes the two ports on 127.0.0.1.

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::header::{HOST, LOCATION, STRICT_TRANSPORT_SECURITY};
use reqwest::StatusCode;
use yaml_rust2::YamlLoader;

use test_support::ports::ReservedPort;

use crate::compose::Stack;
use crate::podman::{self, Scratch};
use crate::web;

const CANONICAL: &str = "www.fattore.test";
const ALIAS: &str = "fattore.test";

/// The container ports deploy/compose.vm.yaml publishes, in its order (HTTP first).
fn container_ports() -> Vec<String> {
    let doc = YamlLoader::load_from_str(&test_support::workspace::read("deploy/compose.vm.yaml"))
        .unwrap()
        .remove(0);
    doc["services"]["proxy"]["ports"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().rsplit(':').next().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, podman and the images; scripts/test runs it with --ignored as root"]
async fn the_one_vm_override_serves_https_and_redirects_http_to_it() {
    let files = Scratch::new("fattore-test-vm-tls");
    let certified = rcgen::generate_simple_self_signed(vec![CANONICAL.into(), ALIAS.into()])
        .expect("a test certificate");
    let certificate = certified.cert.pem();
    std::fs::write(files.0.join("certificate.pem"), &certificate).unwrap();
    std::fs::write(
        files.0.join("private-key.pem"),
        certified.signing_key.serialize_pem(),
    )
    .unwrap();
    // The proxy runs as an unprivileged user; this throwaway key may be world-readable.
    let mode = std::os::unix::fs::PermissionsExt::from_mode(0o755);
    std::fs::set_permissions(&files.0, mode).unwrap();

    let ports = container_ports();
    assert_eq!(ports.len(), 2, "{ports:?}");
    let published: Vec<ReservedPort> = ports.iter().map(|_| ReservedPort::new()).collect();
    let override_file = files.0.join("test-certificate.yaml");
    std::fs::write(
        &override_file,
        format!(
            "services:\n  proxy:\n    environment:\n      PROXY_ACME_DOMAINS: \"\"\n      \
             PROXY_TLS_CERT: /run/test-tls/certificate.pem\n      \
             PROXY_TLS_KEY: /run/test-tls/private-key.pem\n    ports: !override\n{}    \
             volumes:\n      - {}:/run/test-tls:ro\n",
            ports
                .iter()
                .zip(&published)
                .map(|(inside, outside)| format!(
                    "      - \"127.0.0.1:{}:{inside}\"\n",
                    outside.port()
                ))
                .collect::<String>(),
            files.0.display()
        ),
    )
    .unwrap();

    let stack = Stack::new(
        "vm",
        &["deploy/compose.vm.yaml".into(), override_file],
        &[
            // compose.vm.yaml requires these; the override clears the ACME domains again.
            ("PROXY_ACME_DOMAINS", CANONICAL.into()),
            ("PROXY_ACME_EMAIL", "ops@fattore.test".into()),
            ("PROXY_CANONICAL_HOST", CANONICAL.into()),
            ("PROXY_HOST_ALIASES", ALIAS.into()),
        ],
    );
    stack.up();
    podman::wait_healthy(&stack.container("proxy"), Duration::from_secs(120));

    let (http, https) = (published[0].port(), published[1].port());
    let tls = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(certificate.as_bytes()).unwrap())
        .resolve(CANONICAL, SocketAddr::from(([127, 0, 0, 1], https)))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let secure = format!("https://{CANONICAL}:{https}");
    web::wait_for(
        &tls,
        &format!("{secure}/api/health"),
        StatusCode::OK,
        Duration::from_secs(60),
    )
    .await;
    let page = tls.get(format!("{secure}/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let hsts = page.headers()[STRICT_TRANSPORT_SECURITY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(hsts.contains("max-age=31536000"), "{hsts}");
    assert!(page.text().await.unwrap().contains("<html"));

    // Plain HTTP, for the canonical name and for an alias, goes to HTTPS on the canonical name
    // at the public port (443, so none is named).
    let plain = web::client();
    for host in [CANONICAL, ALIAS] {
        let response = plain
            .get(format!("http://127.0.0.1:{http}/portfolio?tab=all"))
            .header(HOST, host)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_redirection(),
            "{host}: {}",
            response.status()
        );
        assert_eq!(
            response.headers()[LOCATION],
            format!("https://{CANONICAL}/portfolio?tab=all"),
            "{host}"
        );
    }
}
