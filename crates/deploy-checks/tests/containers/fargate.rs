//! The Fargate task, run as ECS runs it: deploy/ecs/task-definition.json read and turned into
//! one podman pod (awsvpc: the task's containers share one network namespace), with the
//! secrets in the environment as ECS injects them and a PostgreSQL container on a network of
//! its own standing in for RDS.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use test_support::ports::ReservedPort;

use crate::podman::{self, HealthChecks};
use crate::web::{self, json_of, register_and_log_in};

/// One run's pod, network and database, removed by name on drop (logs first on failure).
struct Task {
    pod: String,
    network: String,
    database: String,
    _health: HealthChecks,
}

impl Task {
    fn new() -> Self {
        let name = format!("fattore-test-task-{}", std::process::id());
        let task = Self {
            _health: HealthChecks::start(vec![format!("name=^{name}")]),
            network: format!("{name}-vpc"),
            database: format!("{name}-rds"),
            pod: name,
        };
        task.remove();
        task
    }

    fn container(&self, name: &str) -> String {
        format!("{}-{name}", self.pod)
    }

    fn remove(&self) {
        let _ = podman::run(&["pod", "rm", "--force", &self.pod]);
        let _ = podman::run(&["rm", "--force", "--volumes", &self.database]);
        let _ = podman::run(&["network", "rm", "--force", &self.network]);
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        if std::thread::panicking() {
            podman::print_logs(&[format!("name=^{}", self.pod)]);
        }
        self.remove();
    }
}

fn definition() -> Value {
    serde_json::from_str(&test_support::workspace::read(
        "deploy/ecs/task-definition.json",
    ))
    .unwrap()
}

/// The image built here for a task definition placeholder (deploy.sh fills in ECR's).
fn image_for(placeholder: &str) -> String {
    match placeholder {
        "<API_IMAGE>" => podman::api_image(),
        "<PROXY_IMAGE>" => podman::proxy_image(),
        other => panic!("unknown image {other}"),
    }
}

fn seconds(value: &Value) -> String {
    format!("{}s", value.as_u64().expect("a number of seconds"))
}

/// `podman run` arguments for one container definition: everything ECS would apply that a
/// single host can (logging goes to podman's log instead of CloudWatch).
fn run_args(task: &Task, container: &Value, secrets: &[(&str, String)]) -> Vec<String> {
    let name = container["name"].as_str().unwrap();
    let mut args: Vec<String> = vec![
        "run".into(),
        "--detach".into(),
        "--pod".into(),
        task.pod.clone(),
        "--name".into(),
        task.container(name),
    ];
    if container["readonlyRootFilesystem"] == true {
        // Fargate mounts no tmpfs anywhere: podman's default /tmp, /var/tmp and /run are off.
        args.extend(["--read-only".into(), "--read-only-tmpfs=false".into()]);
    }
    if let Some(user) = container["user"].as_str() {
        args.extend(["--user".into(), user.into()]);
    }
    for variable in container["environment"].as_array().into_iter().flatten() {
        args.extend([
            "--env".into(),
            format!(
                "{}={}",
                variable["name"].as_str().unwrap(),
                variable["value"].as_str().unwrap()
            ),
        ]);
    }
    for secret in container["secrets"].as_array().into_iter().flatten() {
        let key = secret["name"].as_str().unwrap();
        let value = secrets
            .iter()
            .find(|(k, _)| *k == key)
            .unwrap_or_else(|| panic!("the test has no value for the secret {key}"));
        args.extend(["--env".into(), format!("{key}={}", value.1)]);
    }
    let check = &container["healthCheck"];
    let command: Vec<&str> = check["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let test = match command[0] {
        "CMD" => serde_json::to_string(&command[1..]).unwrap(),
        "CMD-SHELL" => command[1].to_owned(),
        other => panic!("health check kind {other}"),
    };
    args.extend([
        "--health-cmd".into(),
        test,
        "--health-interval".into(),
        seconds(&check["interval"]),
        "--health-timeout".into(),
        seconds(&check["timeout"]),
        "--health-retries".into(),
        check["retries"].as_u64().unwrap().to_string(),
        "--health-start-period".into(),
        seconds(&check["startPeriod"]),
    ]);
    if let Some(timeout) = container["stopTimeout"].as_u64() {
        args.extend(["--stop-timeout".into(), timeout.to_string()]);
    }
    args.push(image_for(container["image"].as_str().unwrap()));
    for part in container["command"].as_array().into_iter().flatten() {
        args.push(part.as_str().unwrap().to_owned());
    }
    args
}

/// The containers in the order `dependsOn` allows, each with what it waits for.
fn start_order(containers: &[Value]) -> Vec<&Value> {
    let mut pending: Vec<&Value> = containers.iter().collect();
    let mut ordered: Vec<&Value> = Vec::new();
    while !pending.is_empty() {
        let ready = pending
            .iter()
            .position(|c| {
                c["dependsOn"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .all(|d| ordered.iter().any(|o| o["name"] == d["containerName"]))
            })
            .expect("dependsOn has no cycle");
        ordered.push(pending.remove(ready));
    }
    ordered
}

/// Whether a TCP connection from the stand-in database's container (another host of the
/// VPC) to `host:port` succeeds.
fn reachable_from_the_vpc(task: &Task, host: &str, port: u16) -> bool {
    podman::run(&[
        "exec",
        &task.database,
        "bash",
        "-c",
        &format!("exec 3<>/dev/tcp/{host}/{port}"),
    ])
    .status
    .success()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, podman and the images; scripts/test runs it with --ignored as root"]
async fn the_fargate_task_runs_as_one_pod_from_its_definition() {
    let definition = definition();
    assert_eq!(definition["networkMode"], "awsvpc");
    let containers = definition["containerDefinitions"].as_array().unwrap();
    let task = Task::new();

    // RDS: a PostgreSQL server elsewhere in the VPC, reached by name.
    let password = podman::secret();
    podman::ok(&["network", "create", &task.network]);
    let postgres = podman::postgres_image().unwrap_or_else(|| "postgres:16-bookworm".into());
    podman::ok(&[
        "run",
        "--detach",
        "--name",
        &task.database,
        "--network",
        &task.network,
        "--env",
        "POSTGRES_USER=app",
        "--env",
        "POSTGRES_DB=app",
        "--env",
        &format!("POSTGRES_PASSWORD={password}"),
        "--health-cmd",
        "pg_isready -U app -d app",
        "--health-interval",
        "2s",
        &postgres,
    ]);
    podman::wait_healthy(&task.database, Duration::from_secs(60));

    // The task's one network namespace, publishing what portMappings name, on 127.0.0.1 only.
    let mut pod = vec![
        "pod".to_owned(),
        "create".into(),
        "--name".into(),
        task.pod.clone(),
        "--network".into(),
        task.network.clone(),
    ];
    let mut published = Vec::new();
    for container in containers {
        for mapping in container["portMappings"].as_array().into_iter().flatten() {
            let port = mapping["containerPort"].as_u64().unwrap() as u16;
            let host_port = ReservedPort::new();
            pod.extend([
                "--publish".into(),
                format!("127.0.0.1:{}:{port}", host_port.port()),
            ]);
            published.push((port, host_port));
        }
    }
    let pod: Vec<&str> = pod.iter().map(String::as_str).collect();
    podman::ok(&pod);
    // The site, and the proxy's metrics for the scraper.
    let ports: Vec<u16> = published.iter().map(|(port, _)| *port).collect();
    assert_eq!(ports, [80, 9091], "the published ports");
    let base = format!("http://127.0.0.1:{}", published[0].1.port());

    // Secrets Manager's values, injected as environment variables the way ECS does. The
    // Finnhub token is empty so that nothing calls out of this machine.
    let secrets = [
        ("SECRET_KEY", podman::secret()),
        (
            "DATABASE_URL",
            format!("postgres://app:{password}@{}:5432/app", task.database),
        ),
        ("FINNHUB_TOKEN", String::new()),
    ];
    for container in start_order(containers) {
        for dependency in container["dependsOn"].as_array().into_iter().flatten() {
            let other = task.container(dependency["containerName"].as_str().unwrap());
            match dependency["condition"].as_str().unwrap() {
                "HEALTHY" => podman::wait_healthy(&other, Duration::from_secs(120)),
                "START" => assert!(podman::is_running(&other)),
                condition => panic!("dependsOn condition {condition}"),
            }
        }
        let args = run_args(&task, container, &secrets);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        podman::ok(&args);
    }
    for container in containers {
        podman::wait_healthy(
            &task.container(container["name"].as_str().unwrap()),
            Duration::from_secs(120),
        );
    }

    // The proxy serves the UI and forwards the API to the api on the task's localhost.
    let client = web::client();
    web::wait_for(
        &client,
        &format!("{base}/api/health"),
        StatusCode::OK,
        Duration::from_secs(30),
    )
    .await;
    let page = client.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("<html"));
    let health = json_of(
        client
            .get(format!("{base}/api/health"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(health["database"], "ok");
    let token = register_and_log_in(&client, &base, "fargate").await;
    let assets = client
        .get(format!("{base}/api/assets/"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(assets.status(), StatusCode::OK);

    // The api answers on 127.0.0.1:8000 inside the task and nowhere else: not from another
    // host of the VPC, while the proxy's port is.
    let api = task.container("api");
    podman::ok(&["exec", &api, "/usr/local/bin/api", "healthcheck"]);
    let address = podman::inspect(
        &podman::ok(&[
            "pod",
            "inspect",
            "--format",
            "{{.InfraContainerID}}",
            &task.pod,
        ]),
        &format!(
            "{{{{(index .NetworkSettings.Networks \"{}\").IPAddress}}}}",
            task.network
        ),
    );
    assert!(
        !reachable_from_the_vpc(&task, &address, 8000),
        "the api is reachable from outside the task"
    );
    assert!(
        reachable_from_the_vpc(&task, &address, published[0].0),
        "the proxy's port is not reachable"
    );

    // The proxy runs as its image's non-root user, and binds port 80 through its file
    // capability alone (CAP_NET_BIND_SERVICE is bit 10 of the effective set).
    let status = podman::ok(&["exec", &task.container("proxy"), "cat", "/proc/1/status"]);
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap()
            .trim()
            .to_owned()
    };
    assert!(!field("Uid:").starts_with("0\t"), "{}", field("Uid:"));
    let effective = u64::from_str_radix(&field("CapEff:"), 16).unwrap();
    assert_eq!(effective, 1 << 10, "CapEff {effective:x}");

    // Nothing was written outside the declared writable paths (the definition declares none).
    for container in containers {
        let name = task.container(container["name"].as_str().unwrap());
        if container["readonlyRootFilesystem"] == true {
            // podman itself mounts /etc/hosts, /etc/hostname and /etc/resolv.conf, which
            // marks /etc changed; anything else would be the container's own doing.
            let changed: Vec<String> = podman::ok(&["diff", &name])
                .lines()
                .filter(|line| *line != "C /etc")
                .map(str::to_owned)
                .collect();
            assert!(
                changed.is_empty(),
                "{name} changed its file system: {changed:?}"
            );
            let logs = podman::logs(&name);
            assert!(!logs.contains("Read-only file system"), "{name}:\n{logs}");
        }
    }
}
