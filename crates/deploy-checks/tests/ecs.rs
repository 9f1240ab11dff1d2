//! deploy/ecs/task-definition.json: a valid Fargate task whose containers agree with the
//! binaries' settings and keep secrets out of plain environment variables.

use std::collections::BTreeMap;

use deploy_checks::{has_subcommand, port_of, settings_of};
use serde_json::Value;
use test_support::workspace;

fn task() -> Value {
    serde_json::from_str(&workspace::read("deploy/ecs/task-definition.json")).expect("valid JSON")
}

fn container<'a>(task: &'a Value, name: &str) -> &'a Value {
    task["containerDefinitions"]
        .as_array()
        .expect("containerDefinitions")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} container"))
}

fn environment(container: &Value) -> BTreeMap<String, String> {
    container["environment"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| {
                    (
                        item["name"].as_str().unwrap().to_owned(),
                        item["value"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn it_is_a_fargate_awsvpc_task_with_the_required_fields() {
    let task = task();
    assert_eq!(task["networkMode"], "awsvpc");
    assert!(task["requiresCompatibilities"]
        .as_array()
        .unwrap()
        .contains(&Value::from("FARGATE")));
    assert!(task["family"].is_string());
    assert!(task["executionRoleArn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:iam::"));
    let cpu: u32 = task["cpu"].as_str().unwrap().parse().unwrap();
    let memory: u32 = task["memory"].as_str().unwrap().parse().unwrap();
    let valid = match cpu {
        256 => [512, 1024, 2048].contains(&memory),
        512 => (1024..=4096).contains(&memory) && memory.is_multiple_of(1024),
        1024 => (2048..=8192).contains(&memory) && memory.is_multiple_of(1024),
        _ => false,
    };
    assert!(
        valid,
        "{cpu} CPU units with {memory} MiB is not a Fargate size for these small binaries"
    );
    let containers = task["containerDefinitions"].as_array().unwrap();
    assert_eq!(containers.len(), 2);
    for container in containers {
        assert_eq!(container["essential"], true, "{}", container["name"]);
        let image = container["image"].as_str().unwrap();
        assert!(
            image.starts_with('<') && image.ends_with("_IMAGE>"),
            "deploy.sh fills {image}"
        );
        let logs = &container["logConfiguration"];
        assert_eq!(logs["logDriver"], "awslogs");
        for option in ["awslogs-group", "awslogs-region", "awslogs-stream-prefix"] {
            assert!(logs["options"][option].is_string(), "{option}");
        }
        assert!(container["healthCheck"]["command"].is_array());
    }
}

#[test]
fn containers_share_localhost_and_only_the_proxy_is_exposed() {
    let task = task();
    let api = container(&task, "api");
    let proxy = container(&task, "proxy");
    let api_env = environment(api);
    let proxy_env = environment(proxy);
    assert!(
        api["portMappings"].as_array().is_none_or(Vec::is_empty),
        "the api stays inside the task"
    );
    assert!(
        api_env["API_LISTEN"].starts_with("127.0.0.1:"),
        "containers of one task share localhost"
    );
    assert_eq!(
        proxy_env["PROXY_UPSTREAMS"],
        format!("127.0.0.1:{}", port_of(&api_env["API_LISTEN"]))
    );
    let mapping = &proxy["portMappings"][0];
    assert_eq!(mapping["containerPort"], 80);
    assert_eq!(port_of(&proxy_env["PROXY_LISTEN"]), 80);
    assert_eq!(proxy["dependsOn"][0]["containerName"], "api");
    assert_eq!(proxy["dependsOn"][0]["condition"], "HEALTHY");
}

#[test]
fn settings_are_real_and_secrets_come_from_secrets_manager() {
    let task = task();
    for (name, binary) in [("api", "api"), ("proxy", "proxy")] {
        let known = settings_of(&workspace::binary(binary));
        let container = container(&task, name);
        for key in environment(container).keys() {
            assert!(
                known.contains(key),
                "{name} sets {key}, unknown to `{binary} --help`"
            );
            assert!(
                !key.contains("SECRET")
                    && !key.contains("PASSWORD")
                    && !key.contains("TOKEN")
                    && key != "DATABASE_URL",
                "{key} in plain environment"
            );
        }
        let health = container["healthCheck"]["command"].as_array().unwrap();
        assert_eq!(health[1], format!("/usr/local/bin/{binary}"));
        assert!(has_subcommand(
            &workspace::binary(binary),
            health[2].as_str().unwrap()
        ));
    }
    let api = container(&task, "api");
    let secrets: Vec<&str> = api["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(secrets, ["SECRET_KEY", "DATABASE_URL", "FINNHUB_TOKEN"]);
    for secret in api["secrets"].as_array().unwrap() {
        let from = secret["valueFrom"].as_str().unwrap();
        assert!(
            from.starts_with("arn:aws:secretsmanager:") || from.starts_with("arn:aws:ssm:"),
            "{from}"
        );
    }
}

#[test]
fn stop_timeouts_cover_the_services_grace_periods() {
    let task = task();
    let api = container(&task, "api");
    let proxy = container(&task, "proxy");
    let api_grace: u64 = environment(api)["API_SHUTDOWN_TIMEOUT_SECS"]
        .parse()
        .unwrap();
    let proxy_grace: u64 = environment(proxy)["PROXY_SHUTDOWN_GRACE_SECS"]
        .parse()
        .unwrap();
    // The proxy exits after its grace period plus a 2-second final step.
    assert!(api["stopTimeout"].as_u64().unwrap() > api_grace);
    assert!(proxy["stopTimeout"].as_u64().unwrap() > proxy_grace + 2);
    assert!(
        api["stopTimeout"].as_u64().unwrap() <= 120,
        "Fargate's maximum"
    );
}
