//! Two hosts on a bridge network, as compose runs them: the api in one network namespace, the
//! proxy in another, the proxy's upstream a name that resolves to the api's namespace address
//! (not loopback). Needs root, so plain `cargo test` lists it as ignored; scripts/test runs it
//! with `--ignored` when it runs as root (as CI does).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use test_support::process::clean_command;
use test_support::servers::{ApiServer, ProxyServer};
use test_support::workspace;

/// Names and addresses of one run's network, removed again on drop.
struct Network {
    bridge: String,
    api_ns: String,
    proxy_ns: String,
    subnet: String,
}

fn ip(args: &[&str]) {
    let output = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        output.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

impl Network {
    fn create() -> Self {
        let n = std::process::id() % 10_000;
        let network = Self {
            bridge: format!("fsbr{n}"),
            api_ns: format!("fs-api-{n}"),
            proxy_ns: format!("fs-proxy-{n}"),
            subnet: format!("10.231.{}", n % 250),
        };
        network.remove();
        let (bridge, subnet) = (&network.bridge, &network.subnet);
        ip(&["link", "add", bridge, "type", "bridge"]);
        ip(&["addr", "add", &format!("{subnet}.1/24"), "dev", bridge]);
        ip(&["link", "set", bridge, "up"]);
        for (ns, host, short) in [(&network.api_ns, 2, "a"), (&network.proxy_ns, 3, "p")] {
            let (inside, outside) = (format!("fs{short}{n}"), format!("fs{short}{n}b"));
            ip(&["netns", "add", ns]);
            ip(&[
                "link", "add", &inside, "type", "veth", "peer", "name", &outside,
            ]);
            ip(&["link", "set", &inside, "netns", ns]);
            ip(&["link", "set", &outside, "master", bridge, "up"]);
            ip(&[
                "-n",
                ns,
                "addr",
                "add",
                &format!("{subnet}.{host}/24"),
                "dev",
                &inside,
            ]);
            ip(&["-n", ns, "link", "set", &inside, "up"]);
            ip(&["-n", ns, "link", "set", "lo", "up"]);
        }
        network
    }

    fn address(&self, host: u8) -> String {
        format!("{}.{host}", self.subnet)
    }

    fn remove(&self) {
        for args in [
            vec!["netns", "del", self.api_ns.as_str()],
            vec!["netns", "del", self.proxy_ns.as_str()],
            vec!["link", "del", self.bridge.as_str()],
        ] {
            let _ = Command::new("ip")
                .args(&args)
                .stderr(Stdio::null())
                .status();
        }
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        self.remove();
    }
}

/// `program` run inside the network namespace `ns` (`ip netns exec` execs it: same process).
fn in_namespace(ns: &str, program: &Path) -> Command {
    let mut command = clean_command("ip");
    command.args(["netns", "exec", ns]).arg(program);
    command
}

/// The api on its host. Port 8000 as in compose, and fixed: the proxy's upstream names it, and
/// the restarted api must come back on it (no one else binds in this private namespace).
fn start_api(network: &Network, dir: &Path) -> ApiServer {
    ApiServer::start(
        in_namespace(&network.api_ns, &workspace::binary("api"))
            .current_dir(dir)
            .env("API_LISTEN", "0.0.0.0:8000")
            .env("DATABASE_URL", "sqlite://data/app.sqlite3")
            .env("API_WORKERS", "1"),
    )
}

/// The JSON body of the first `want` answer from `url`, or `None` after 30 s.
async fn wait_for(client: &reqwest::Client, url: &str, want: reqwest::StatusCode) -> Option<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = client.get(url).send().await {
            if response.status() == want {
                return Some(response.json().await.unwrap_or(Value::Null));
            }
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn logs(api: &ApiServer, proxy: &ProxyServer) -> String {
    format!(
        "api:\n{}\nproxy:\n{}",
        api.process.log(),
        proxy.process.log()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root to create network namespaces; scripts/test runs it with --ignored as root"]
async fn api_and_proxy_on_two_hosts_of_a_bridge_network() {
    let network = Network::create();
    let dir = tempfile_dir();
    let web = dir.join("web");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::write(
        web.join("index.html"),
        "<!doctype html><title>two hosts</title>",
    )
    .unwrap();
    // Compose's service DNS, reproduced: the name `api` resolves to the api host's address.
    let hosts = dir.join("hosts");
    std::fs::write(&hosts, format!("{} api\n", network.address(2))).unwrap();

    let mut api = start_api(&network, &dir);
    let proxy = ProxyServer::start(
        in_namespace(&network.proxy_ns, &workspace::binary("proxy"))
            .env("PROXY_LISTEN", format!("{}:8080", network.address(3)))
            .env("PROXY_HOSTS_FILE", &hosts),
        &web,
        "api:8000",
    );
    let health_url = proxy.url("/api/health");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let health = wait_for(&client, &health_url, reqwest::StatusCode::OK)
        .await
        .unwrap_or_else(|| panic!("{health_url} never answered 200:\n{}", logs(&api, &proxy)));
    assert_eq!(health["database"], "ok");

    let page = client
        .get(proxy.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("two hosts"));
    let registered = client
        .post(proxy.url("/api/users/"))
        .json(&json!({"username": "netns", "password": "long enough password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), reqwest::StatusCode::CREATED);
    let tokens: Value = client
        .post(proxy.url("/api/token/"))
        .json(&json!({"username": "netns", "password": "long enough password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let assets = client
        .get(proxy.url("/api/assets/"))
        .bearer_auth(tokens["access"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(assets.status(), reqwest::StatusCode::OK);

    api.process.kill();
    let down = wait_for(&client, &health_url, reqwest::StatusCode::BAD_GATEWAY)
        .await
        .unwrap_or_else(|| panic!("{health_url} never answered 502:\n{}", logs(&api, &proxy)));
    assert_eq!(down["code"], "bad_gateway");

    let api = start_api(&network, &dir);
    wait_for(&client, &health_url, reqwest::StatusCode::OK)
        .await
        .unwrap_or_else(|| panic!("{health_url} never recovered:\n{}", logs(&api, &proxy)));
    drop((api, proxy, network));
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("two-hosts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
