//! One compose project of the unchanged compose.yaml (plus any override files), under its own
//! project name and with the proxy published on a 127.0.0.1 port of its own, torn down by name
//! on drop, with every container's logs printed first when the test is failing.

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use test_support::ports::ReservedPort;
use test_support::workspace;
use yaml_rust2::{Yaml, YamlLoader};

use crate::podman::{self, HealthChecks, Scratch};

pub struct Stack {
    pub project: String,
    files: Vec<PathBuf>,
    env: Vec<(String, String)>,
    /// The host port (on 127.0.0.1) the proxy's plain-HTTP listener is published on, held
    /// for podman (which binds it with SO_REUSEADDR) so that nothing else takes it.
    port: ReservedPort,
    _health: HealthChecks,
    pub scratch: Scratch,
}

impl Stack {
    /// A project of compose.yaml and `overrides` (paths relative to the repository, or
    /// absolute), with `env` on top of the secrets and ports every stack gets.
    pub fn new(name: &str, overrides: &[PathBuf], env: &[(&str, String)]) -> Self {
        let project = format!("fattore-test-{name}-{}", std::process::id());
        let scratch = Scratch::new(&project);
        // An empty env file, so a developer's ./.env never leaks into the test.
        std::fs::write(scratch.0.join("empty.env"), "").unwrap();
        let port = ReservedPort::new();
        let mut vars = vec![
            ("POSTGRES_PASSWORD".to_owned(), podman::secret()),
            ("SECRET_KEY".to_owned(), podman::secret()),
            (
                "PROXY_PUBLIC_PORT".to_owned(),
                format!("127.0.0.1:{}", port.port()),
            ),
            ("RUST_LOG".to_owned(), "info".to_owned()),
        ];
        if let Some(image) = podman::postgres_image() {
            vars.push(("POSTGRES_IMAGE".to_owned(), image));
        }
        vars.extend(env.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        let mut files = vec![workspace::root().join("compose.yaml")];
        files.extend(overrides.iter().map(|f| workspace::root().join(f)));
        let stack = Self {
            _health: HealthChecks::start(vec![format!(
                "label=io.podman.compose.project={project}"
            )]),
            project,
            files,
            env: vars,
            port,
            scratch,
        };
        stack.remove();
        stack
    }

    pub fn compose(&self, args: &[&str]) -> Output {
        let mut command = podman::command("podman-compose");
        command
            .arg("--project-name")
            .arg(&self.project)
            .arg("--env-file")
            .arg(self.scratch.0.join("empty.env"))
            // Containers of their own on the bridge network, as Docker Compose runs them (a pod
            // would give them one shared localhost instead).
            .args(["--in-pod", "false"]);
        for file in &self.files {
            command.arg("-f").arg(file);
        }
        command
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(workspace::root())
            .output()
            .expect("run podman-compose (scripts/containers installs it)")
    }

    pub fn compose_ok(&self, args: &[&str]) {
        let output = self.compose(args);
        assert!(
            output.status.success(),
            "podman-compose {} failed:\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// `up -d`, in the order the files' `depends_on` sets: a service starts once its
    /// dependencies meet their conditions. Docker Compose does that itself; podman-compose
    /// leaves health conditions to podman 4.6 and later, and Debian bookworm has 4.3.
    pub fn up(&self) {
        for (service, needs) in self.start_order() {
            for (dependency, condition) in needs {
                for container in self.containers(&dependency) {
                    match condition.as_str() {
                        "service_healthy" => {
                            podman::wait_healthy(&container, Duration::from_secs(120))
                        }
                        _ => assert!(podman::is_running(&container), "{container}"),
                    }
                }
            }
            self.compose_ok(&["up", "--detach", "--no-deps", &service]);
        }
    }

    /// Every service with its dependencies and their conditions, dependencies first.
    fn start_order(&self) -> Vec<(String, Vec<(String, String)>)> {
        let mut services: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for file in &self.files {
            let text = std::fs::read_to_string(file).unwrap();
            let doc = YamlLoader::load_from_str(&text).unwrap().remove(0);
            let Some(map) = doc["services"].as_hash() else {
                continue;
            };
            for (name, definition) in map {
                let name = name.as_str().unwrap().to_owned();
                let needs = depends_on(&definition["depends_on"]);
                match services.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, existing)) => existing.extend(needs),
                    None => services.push((name, needs)),
                }
            }
        }
        let mut ordered: Vec<(String, Vec<(String, String)>)> = Vec::new();
        while !services.is_empty() {
            let ready = services
                .iter()
                .position(|(_, needs)| {
                    needs
                        .iter()
                        .all(|(d, _)| ordered.iter().any(|(o, _)| o == d))
                })
                .expect("depends_on has no cycle");
            ordered.push(services.remove(ready));
        }
        ordered
    }

    /// The running containers of a service, sorted by name.
    pub fn containers(&self, service: &str) -> Vec<String> {
        podman::containers(&self.filter_for(service), false)
    }

    /// The `podman ps` filters selecting a service's containers.
    fn filter_for(&self, service: &str) -> Vec<String> {
        vec![
            format!("label=io.podman.compose.project={}", self.project),
            format!("label=com.docker.compose.service={service}"),
        ]
    }

    /// The one running container of a service.
    pub fn container(&self, service: &str) -> String {
        let containers = self.containers(service);
        assert_eq!(containers.len(), 1, "{service}: {containers:?}");
        containers[0].clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port.port())
    }

    /// `down` keeping volumes (what an operator does between deploys).
    pub fn down(&self) {
        self.compose_ok(&["down", "--timeout", "30"]);
    }

    /// Everything of the project, by name and label: containers, networks, volumes.
    fn remove(&self) {
        let _ = self.compose(&["down", "--volumes", "--timeout", "5"]);
        let filter = format!("label=io.podman.compose.project={}", self.project);
        for container in podman::containers(std::slice::from_ref(&filter), true) {
            let _ = podman::run(&["rm", "--force", "--volumes", &container]);
        }
        for kind in ["network", "volume"] {
            let listed = podman::run(&[kind, "ls", "--quiet", "--filter", &filter]);
            for name in String::from_utf8_lossy(&listed.stdout).lines() {
                let _ = podman::run(&[kind, "rm", "--force", name]);
            }
        }
    }
}

fn depends_on(yaml: &Yaml) -> Vec<(String, String)> {
    if let Some(list) = yaml.as_vec() {
        return list
            .iter()
            .filter_map(|d| d.as_str())
            .map(|d| (d.to_owned(), "service_started".to_owned()))
            .collect();
    }
    yaml.as_hash()
        .map(|map| {
            map.iter()
                .map(|(name, spec)| {
                    (
                        name.as_str().unwrap().to_owned(),
                        spec["condition"]
                            .as_str()
                            .unwrap_or("service_started")
                            .to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Drop for Stack {
    fn drop(&mut self) {
        if std::thread::panicking() {
            podman::print_logs(&[format!("label=io.podman.compose.project={}", self.project)]);
        }
        self.remove();
    }
}
