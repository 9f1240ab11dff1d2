//! deploy/deploy.sh: the continuous-delivery steps, checked through --dry-run.

use std::process::Command;

use test_support::workspace;

fn deploy(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    Command::new("bash")
        .arg(workspace::root().join("deploy/deploy.sh"))
        .args(args)
        .env_remove("AWS_REGION")
        .env_remove("AWS_ACCOUNT_ID")
        .env_remove("ECS_CLUSTER")
        .env_remove("ECS_SERVICE")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

const ENV: [(&str, &str); 5] = [
    ("AWS_REGION", "eu-west-1"),
    ("AWS_ACCOUNT_ID", "123456789012"),
    ("ECS_CLUSTER", "fattore-cluster"),
    ("ECS_SERVICE", "fattore-web"),
    ("IMAGE_TAG", "v42"),
];

#[test]
fn dry_run_prints_the_whole_sequence_in_order() {
    let output = deploy(&["--dry-run"], &ENV);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    let expected = [
        format!("+ aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin {registry}"),
        format!("+ docker build --file deploy/api.Dockerfile --build-arg VERSION=v42 --tag {registry}/fattore-api:v42 ."),
        format!("+ docker build --file deploy/proxy.Dockerfile --build-arg VERSION=v42 --tag {registry}/fattore-proxy:v42 ."),
        format!("+ docker push {registry}/fattore-api:v42"),
        format!("+ docker push {registry}/fattore-proxy:v42"),
        "+ aws ecs register-task-definition --region eu-west-1 --cli-input-json file://".to_owned(),
        "+ aws ecs update-service --region eu-west-1 --cluster fattore-cluster --service fattore-web --task-definition arn:aws:ecs:eu-west-1:123456789012:task-definition/".to_owned(),
        "+ aws ecs wait services-stable --region eu-west-1 --cluster fattore-cluster --services fattore-web".to_owned(),
    ];
    let commands: Vec<&str> = stdout
        .lines()
        .filter(|line| line.starts_with("+ "))
        .collect();
    assert_eq!(commands.len(), expected.len(), "{stdout}");
    for (line, want) in commands.iter().zip(&expected) {
        assert!(
            line.starts_with(want.as_str()),
            "expected {want:?}\n got {line:?}"
        );
    }
}

#[test]
fn missing_settings_are_named() {
    let output = deploy(&["--dry-run"], &ENV[..2]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("ECS_CLUSTER") && stderr.contains("ECS_SERVICE"),
        "{stderr}"
    );
}

#[test]
fn the_rendered_task_definition_has_no_placeholders_left() {
    let output = deploy(&["--dry-run"], &ENV);
    assert!(output.status.success());
    let template =
        std::fs::read_to_string(workspace::root().join("deploy/ecs/task-definition.json")).unwrap();
    for placeholder in ["<API_IMAGE>", "<PROXY_IMAGE>", "<ACCOUNT_ID>", "<REGION>"] {
        assert!(
            template.contains(placeholder),
            "the template uses {placeholder}"
        );
    }
    let broken = tempfile_with(&template.replace("<REGION>", "<UNKNOWN_THING>"));
    let output = deploy(
        &["--dry-run"],
        &[ENV.as_slice(), &[("TASK_DEFINITION", broken.as_str())]].concat(),
    );
    assert!(
        !output.status.success(),
        "an unfilled placeholder stops the deploy"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("<UNKNOWN_THING>"));
}

fn tempfile_with(text: &str) -> String {
    let path = std::env::temp_dir().join(format!("task-def-{}.json", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}
