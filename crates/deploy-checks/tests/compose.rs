//! compose.yaml: the staging topology, checked against the binaries' real settings.

use std::collections::BTreeMap;

use deploy_checks::{has_subcommand, port_of, settings_of};
use test_support::workspace;
use yaml_rust2::{Yaml, YamlLoader};

fn compose() -> Yaml {
    let text = workspace::read("compose.yaml");
    let mut docs = YamlLoader::load_from_str(&text).expect("compose.yaml parses");
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

fn service<'a>(compose: &'a Yaml, name: &str) -> &'a Yaml {
    let service = &compose["services"][name];
    assert!(!service.is_badvalue(), "service {name} is missing");
    service
}

fn environment(service: &Yaml) -> BTreeMap<String, String> {
    service["environment"]
        .as_hash()
        .expect("environment is a map")
        .iter()
        .map(|(k, v)| {
            let value = match v {
                Yaml::String(s) => s.clone(),
                Yaml::Integer(i) => i.to_string(),
                Yaml::Boolean(b) => b.to_string(),
                other => panic!("unexpected value {other:?}"),
            };
            (k.as_str().unwrap().to_owned(), value)
        })
        .collect()
}

fn strings(yaml: &Yaml) -> Vec<String> {
    yaml.as_vec()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn vm_override() -> Yaml {
    YamlLoader::load_from_str(&workspace::read("deploy/compose.vm.yaml"))
        .expect("deploy/compose.vm.yaml parses")
        .remove(0)
}

#[test]
fn every_variable_is_a_real_setting_of_its_binary() {
    for (file, compose) in [
        ("compose.yaml", compose()),
        ("deploy/compose.vm.yaml", vm_override()),
    ] {
        for (name, binary) in [("api", "api"), ("proxy", "proxy")] {
            if compose["services"][name]["environment"].is_badvalue() {
                continue;
            }
            let known = settings_of(&workspace::binary(binary));
            for key in environment(service(&compose, name)).keys() {
                assert!(
                    known.contains(key),
                    "{file}: {name} sets {key}, which `{binary} --help` does not know"
                );
            }
        }
    }
}

#[test]
fn the_vm_override_terminates_tls_on_the_public_ports() {
    let vm = vm_override();
    let proxy = &vm["services"]["proxy"];
    let env = environment(proxy);
    let ports = strings(&proxy["ports"]);
    assert!(
        ports.contains(&format!("443:{}", port_of(&env["PROXY_TLS_LISTEN"]))),
        "{ports:?}"
    );
    let plain = port_of(&environment(service(&compose(), "proxy"))["PROXY_LISTEN"]);
    assert!(ports.contains(&format!("80:{plain}")), "{ports:?}");
    assert_eq!(
        env["PROXY_HTTPS_PORT"], "443",
        "redirects name the public port"
    );
    let state = &env["PROXY_ACME_STATE_DIR"];
    assert!(
        strings(&proxy["volumes"])
            .iter()
            .any(|v| v.ends_with(&format!(":{state}"))),
        "the ACME state is a volume"
    );
}

#[test]
fn services_reach_each_other_by_name_on_one_bridge_network() {
    let text = workspace::read("compose.yaml");
    assert!(
        !text.contains("172.17.0.1"),
        "no docker0 address hard-coding"
    );
    let compose = compose();
    let networks = compose["networks"]
        .as_hash()
        .expect("a user-defined network");
    assert_eq!(networks.len(), 1);
    let (network, definition) = networks.iter().next().unwrap();
    assert_eq!(definition["driver"].as_str(), Some("bridge"));
    for name in ["postgres", "api", "proxy"] {
        assert_eq!(
            strings(&service(&compose, name)["networks"]),
            vec![network.as_str().unwrap()],
            "{name}"
        );
    }

    let api = environment(service(&compose, "api"));
    let proxy = environment(service(&compose, "proxy"));
    let upstream = &proxy["PROXY_UPSTREAMS"];
    assert!(
        upstream.starts_with("api:"),
        "the proxy finds the api by service name: {upstream}"
    );
    assert_eq!(port_of(upstream), port_of(&api["API_LISTEN"]));
    assert!(
        api["API_LISTEN"].starts_with("0.0.0.0:"),
        "the api listens on the bridge network"
    );
    let database = &api["DATABASE_URL"];
    assert!(
        database.starts_with("postgres://") && database.contains("@postgres:5432/"),
        "{database}"
    );
    assert!(
        api["SECRET_KEY"].starts_with("${SECRET_KEY"),
        "the key comes from .env, not the file"
    );
}

#[test]
fn only_the_proxy_publishes_a_port_and_it_is_the_one_it_listens_on() {
    let compose = compose();
    for name in ["postgres", "api"] {
        assert!(
            service(&compose, name)["ports"].is_badvalue(),
            "{name} must not publish ports"
        );
    }
    let proxy = service(&compose, "proxy");
    let ports = strings(&proxy["ports"]);
    assert_eq!(ports.len(), 1);
    let container_port: u16 = ports[0].rsplit(':').next().unwrap().parse().unwrap();
    assert_eq!(container_port, port_of(&environment(proxy)["PROXY_LISTEN"]));
    assert!(ports[0].contains("80"), "public port 80: {ports:?}");
    assert!(
        service(&compose, "api")["container_name"].is_badvalue(),
        "scalable: no fixed name"
    );
}

#[test]
fn start_order_waits_for_health_and_health_checks_use_real_commands() {
    let compose = compose();
    let condition = |from: &str, to: &str| {
        service(&compose, from)["depends_on"][to]["condition"]
            .as_str()
            .map(str::to_owned)
    };
    assert_eq!(
        condition("api", "postgres").as_deref(),
        Some("service_healthy")
    );
    assert_eq!(
        condition("proxy", "api").as_deref(),
        Some("service_healthy")
    );
    let postgres = service(&compose, "postgres");
    assert!(strings(&postgres["volumes"])
        .iter()
        .any(|v| v.starts_with("postgres-data:")));
    assert!(
        compose["volumes"]["postgres-data"].is_null()
            || compose["volumes"]["postgres-data"].as_hash().is_some()
    );
    assert!(environment(postgres)["POSTGRES_PASSWORD"].starts_with("${POSTGRES_PASSWORD"));
    assert!(!postgres["healthcheck"].is_badvalue());
    for binary in ["api", "proxy"] {
        let test = strings(&service(&compose, binary)["healthcheck"]["test"]);
        assert_eq!(
            test,
            vec![
                "CMD".to_owned(),
                format!("/usr/local/bin/{binary}"),
                "healthcheck".to_owned()
            ]
        );
        assert!(has_subcommand(&workspace::binary(binary), "healthcheck"));
    }
}
