//! The command line as a newcomer meets it: `api --help` lists every setting under a heading;
//! each command's `--help` fits on one screen and names only the settings that command reads.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use api::cli::Cli;
use clap::CommandFactory;
use reqwest::StatusCode;
use test_support::process::clean_command;
use test_support::servers::ApiServer;

/// Read with `std::env::var`, never through clap, so the command cannot list them.
const ENVIRONMENT_ONLY: [&str; 4] = [
    "SECRET_KEY",
    "API_SUPERUSER_PASSWORD",
    "FINNHUB_TOKEN",
    "RUST_LOG",
];
const HEADINGS: [&str; 7] = [
    "Database",
    "HTTP",
    "Tokens",
    "Logins",
    "Game",
    "Quotes",
    "Portfolio",
];
const DATABASE: [&str; 4] = [
    "DATABASE_URL",
    "DATABASE_POOL_SIZE",
    "DATABASE_TIMEOUT_SECS",
    "DATABASE_STARTUP_WAIT_SECS",
];
const CALENDAR: [&str; 4] = [
    "WALLSTREET_TIMEZONE",
    "WALLSTREET_MARKET_OPEN",
    "WALLSTREET_MARKET_CLOSE",
    "WALLSTREET_HOLIDAYS",
];
/// What the game's own calls to Finnhub use (with `FINNHUB_TOKEN`, when no `--prices` file).
const GAME_QUOTES: [&str; 6] = [
    "FINNHUB_TOKEN",
    "FINNHUB_URL",
    "FINNHUB_TIMEOUT_SECS",
    "QUOTE_CACHE_SECS",
    "QUOTE_UNKNOWN_CACHE_SECS",
    "FINNHUB_CALLS_PER_MINUTE",
];
/// Every command logs: `--log-format` is global, with each command's own flags.
const LOGGING: [&str; 2] = ["LOG_FORMAT", "RUST_LOG"];
/// One terminal screen.
const SCREEN_LINES: usize = 50;

fn api(dir: &Path) -> Command {
    let mut command = clean_command(env!("CARGO_BIN_EXE_api"));
    command.current_dir(dir);
    command
}

fn help(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let output = api(dir.path()).args(args).arg("--help").output().unwrap();
    assert!(output.status.success(), "{args:?} --help: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every environment variable behind a flag, of the server and of every command, as clap
/// has them: a setting added later is held to these tests without being listed here.
fn flag_settings() -> BTreeSet<String> {
    let cli = Cli::command();
    cli.get_arguments()
        .chain(cli.get_subcommands().flat_map(|sub| sub.get_arguments()))
        .filter_map(|arg| arg.get_env())
        .map(|name| name.to_string_lossy().into_owned())
        .collect()
}

/// The settings a help text names, in `[env: …]` or in prose.
fn named_settings(help: &str) -> BTreeSet<String> {
    let known: BTreeSet<String> = flag_settings()
        .into_iter()
        .chain(ENVIRONMENT_ONLY.map(str::to_owned))
        .collect();
    help.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| known.contains(*word))
        .map(str::to_owned)
        .collect()
}

fn has_heading(help: &str, heading: &str) -> bool {
    help.lines().any(|line| line == format!("{heading}:"))
}

#[test]
fn the_server_help_lists_every_setting_under_a_heading() {
    let every: BTreeSet<String> = flag_settings()
        .into_iter()
        .chain(ENVIRONMENT_ONLY.map(str::to_owned))
        .collect();
    assert!(every.len() > 40, "{every:?}");
    assert_eq!(named_settings(&help(&[])), every);
    // `serve` reads them all but the superuser's password.
    let serve = help(&["serve"]);
    let mut every_but_superuser = every.clone();
    every_but_superuser.remove("API_SUPERUSER_PASSWORD");
    assert_eq!(named_settings(&serve), every_but_superuser);
    for help in [help(&[]), serve] {
        for heading in HEADINGS {
            assert!(has_heading(&help, heading), "no {heading}:\n{help}");
        }
    }
    let cli = Cli::command();
    let serve = cli.find_subcommand("serve").unwrap();
    for arg in cli.get_arguments().chain(serve.get_arguments()) {
        if arg.is_global_set() {
            assert_eq!(arg.get_help_heading(), None, "{arg}");
        } else if let Some(env) = arg.get_env() {
            let heading = arg.get_help_heading();
            assert!(
                heading.is_some_and(|heading| HEADINGS.contains(&heading)),
                "{env:?} is under {heading:?}"
            );
        }
    }
}

#[test]
fn each_command_help_fits_on_a_screen_and_names_only_what_it_reads() {
    let commands: [(&str, &[&str], Vec<&str>); 11] = [
        ("migrate", &[], [&DATABASE[..], &LOGGING].concat()),
        (
            "createsuperuser",
            &["--username", "--email"],
            [&DATABASE[..], &["API_SUPERUSER_PASSWORD"], &LOGGING].concat(),
        ),
        (
            "healthcheck",
            &["--listen"],
            [&["API_LISTEN"][..], &LOGGING].concat(),
        ),
        (
            "import-django",
            &["--source", "--dry-run", "--skip-invalid"],
            [&DATABASE[..], &CALENDAR, &LOGGING].concat(),
        ),
        (
            "import-closes",
            &["<FILE>"],
            [&DATABASE[..], &LOGGING].concat(),
        ),
        ("import-fx", &["<FILE>"], [&DATABASE[..], &LOGGING].concat()),
        ("backup", &["--output"], [&DATABASE[..], &LOGGING].concat()),
        ("export", &["--output"], [&DATABASE[..], &LOGGING].concat()),
        ("import", &["--input"], [&DATABASE[..], &LOGGING].concat()),
        (
            "open-week",
            &["--sunday", "--prices"],
            [&DATABASE[..], &GAME_QUOTES, &LOGGING].concat(),
        ),
        (
            "close-week",
            &["--sunday", "--prices", "--force"],
            [&DATABASE[..], &CALENDAR, &GAME_QUOTES, &LOGGING].concat(),
        ),
    ];
    for (command, flags, settings) in commands {
        let help = help(&[command]);
        let lines = help.lines().count();
        assert!(
            lines <= SCREEN_LINES,
            "`{command} --help` has {lines} lines:\n{help}"
        );
        let expected: BTreeSet<String> = settings.into_iter().map(str::to_owned).collect();
        assert_eq!(
            named_settings(&help),
            expected,
            "`{command} --help`:\n{help}"
        );
        for flag in flags {
            assert!(
                help.contains(flag),
                "`{command} --help` lacks {flag}:\n{help}"
            );
        }
        if !expected.contains("FINNHUB_TOKEN") {
            assert!(!help.contains("Finnhub"), "`{command} --help`:\n{help}");
        }
        assert!(
            !help.contains("CORS") && !help.contains("--workers"),
            "{help}"
        );
        assert!(help.contains("--log-format"), "{help}");
    }
}

#[test]
fn a_setting_before_its_command_is_refused_rather_than_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let output = api(dir.path())
        .args(["--database-url", "sqlite://elsewhere.sqlite3", "migrate"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let error = stderr(&output);
    assert!(
        error.contains("migrate") && error.contains("--database-url"),
        "{error}"
    );
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[test]
fn without_a_command_the_flags_configure_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = ApiServer::start(api(dir.path()).args([
        "--database-url",
        "sqlite://from-flag.sqlite3",
        "--workers",
        "1",
    ]));
    let health = reqwest::blocking::get(server.url("/api/health")).unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert!(dir.path().join("from-flag.sqlite3").is_file());
    assert!(
        !dir.path().join("data").exists(),
        "not the default database"
    );
}
