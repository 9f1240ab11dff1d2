//! `proxy --help` as a newcomer reads it: every setting, grouped under a heading.

use clap::CommandFactory;
use proxy::cli::Options;
use test_support::process::clean_command;

const HEADINGS: [&str; 9] = [
    "Listeners",
    "Upstreams",
    "Static files",
    "Health checks",
    "Limits",
    "Forwarded headers",
    "TLS and ACME",
    "Host names",
    "Logging",
];

#[test]
fn the_help_lists_every_setting_under_its_heading() {
    let output = clean_command(env!("CARGO_BIN_EXE_proxy"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let help = String::from_utf8(output.stdout).unwrap();
    for heading in HEADINGS {
        assert!(
            help.lines().any(|line| line == format!("{heading}:")),
            "no {heading}:\n{help}"
        );
    }
    // From clap itself, so a setting added later is held to this too.
    let command = Options::command();
    let settings: Vec<_> = command
        .get_arguments()
        .filter_map(|arg| arg.get_env().map(|env| (env.to_string_lossy(), arg)))
        .collect();
    assert!(settings.len() > 40, "{}", settings.len());
    for (env, arg) in settings {
        assert!(help.contains(&*env), "--help lacks {env}");
        let heading = arg.get_help_heading();
        assert!(
            heading.is_some_and(|heading| HEADINGS.contains(&heading)),
            "{env} is under {heading:?}"
        );
    }
    assert!(help.contains("RUST_LOG"), "{help}");
}
