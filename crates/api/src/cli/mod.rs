//! The command line: flags mirror the environment variables (a flag wins over its variable,
//! which wins over `.env`, which wins over the default). Secrets are environment-only so they
//! never show up in `ps` output or shell history.
//!
//! The settings come in groups, one per help heading, and each command flattens only the
//! groups it reads, so `api migrate --help` shows the database and not CORS or Finnhub. The
//! server reads them all ([`Options`]): `api --help` and `api serve --help` list every one.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use shared::logging::LogFormat;

mod accounts;
mod database;
mod game;
mod http;
mod portfolio;
mod quotes;

pub use accounts::{LoginOptions, TokenOptions};
pub use database::DatabaseOptions;
pub use game::{GameOptions, SchedulerOptions};
pub use http::{HttpOptions, ListenOptions};
pub use portfolio::PortfolioOptions;
pub use quotes::{QuoteOptions, UserQuoteOptions};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/app.sqlite3";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8000";
pub const DEFAULT_TRUSTED_PROXIES: &str = "127.0.0.1/32,::1/128";
/// The web UI through the proxy, and the dev servers of a React client (Create React App's
/// port 3000 and Vite's 5173, the old client's).
pub const DEFAULT_CORS_ORIGINS: &str = "http://localhost:8080,http://127.0.0.1:8080,\
    http://localhost:3000,http://127.0.0.1:3000,\
    http://localhost:5173,http://127.0.0.1:5173";

// The environment-only settings, one macro each so every command's help can list just the
// ones it reads (`concat!` takes literals only).
macro_rules! environment_only {
    () => {
        "Environment only (never flags, so they stay out of process listings):\n"
    };
}
macro_rules! secret_key {
    () => {
        "  SECRET_KEY               JWT signing key. Required outside development: at least 32
                           characters and not a placeholder. In development a random key is
                           made per process (tokens then die with the process).\n"
    };
}
macro_rules! superuser_password {
    () => {
        "  API_SUPERUSER_PASSWORD   Password for `createsuperuser`; prompted for when unset.\n"
    };
}
macro_rules! demo_password {
    () => {
        "  API_DEMO_PASSWORD        Password of the demo's users; one is made and printed when unset.\n"
    };
}
macro_rules! finnhub_token {
    () => {
        "  FINNHUB_TOKEN            Finnhub API key for quotes and the game's prices. Without it,
                           /api/quotes answers 503 and staff enter prices by hand.\n"
    };
}
macro_rules! game_finnhub_token {
    () => {
        "  FINNHUB_TOKEN            Finnhub API key, for the prices when no --prices file is given.\n"
    };
}
macro_rules! rust_log {
    () => {
        "  RUST_LOG                 Log filter, e.g. `info` or `api=debug,actix_web=info` [default: info].
                           Access-log lines use the target `access`.\n"
    };
}
macro_rules! command_rust_log {
    () => {
        "  RUST_LOG                 Log filter, e.g. `info` (the default) or `api=debug`.\n"
    };
}
macro_rules! precedence {
    () => {
        "\nSettings come from flags, then the environment, then ./.env, then the defaults shown."
    };
}

const EVERY_SETTING_HELP: &str = concat!(
    environment_only!(),
    secret_key!(),
    superuser_password!(),
    finnhub_token!(),
    rust_log!(),
    "\nA command's flags follow it (`api migrate --database-url URL`); `api <command> --help`
shows the settings that command reads.\n",
    precedence!()
);
const SERVE_HELP: &str = concat!(
    environment_only!(),
    secret_key!(),
    finnhub_token!(),
    rust_log!(),
    precedence!()
);
// A command's help must fit on one screen: one line a setting.
const SUPERUSER_HELP: &str = concat!(
    environment_only!(),
    superuser_password!(),
    command_rust_log!(),
    precedence!()
);
const MARKET_COMMAND_HELP: &str = concat!(
    environment_only!(),
    game_finnhub_token!(),
    command_rust_log!(),
    precedence!()
);
const DEMO_HELP: &str = concat!(
    environment_only!(),
    demo_password!(),
    command_rust_log!(),
    precedence!()
);
const COMMAND_HELP: &str = concat!(environment_only!(), command_rust_log!(), precedence!());

/// Without a command the server runs, with the settings given here.
#[derive(Debug, Parser)]
#[command(
    name = "api",
    version,
    about = "The portfolio and Wall Street game API server.",
    after_help = EVERY_SETTING_HELP,
    // A setting before a command would otherwise be read for the server and silently not for
    // the command; refused, it says where it belongs.
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    // Before the server's groups: clap's derive lets a group's heading run on into the
    // arguments that follow it, and this one belongs to no group.
    #[command(flatten)]
    pub logging: LoggingOptions,
    #[command(flatten)]
    pub server: Options,
    #[command(subcommand)]
    pub command: Option<Command>,
}

// Parsed once per process: the server's settings need no box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default), applying pending migrations first.
    #[command(after_help = SERVE_HELP)]
    Serve(Options),
    /// Apply pending database migrations and exit.
    #[command(after_help = COMMAND_HELP)]
    Migrate {
        #[command(flatten)]
        database: DatabaseOptions,
    },
    /// Fill an empty database with a lived-in demo: users demo, ada and grace, a ledger with
    /// sales, dividends and a split, a year of made-up closes, and scored Wall Street weeks.
    #[command(after_help = DEMO_HELP)]
    DemoData {
        #[command(flatten)]
        database: DatabaseOptions,
        // The calendar places the game's weeks.
        #[command(flatten)]
        game: GameOptions,
    },
    /// Create a staff account (password from API_SUPERUSER_PASSWORD, else prompted).
    #[command(after_help = SUPERUSER_HELP)]
    Createsuperuser {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "")]
        email: String,
        #[command(flatten)]
        database: DatabaseOptions,
    },
    /// Exit 0 when the server at API_LISTEN answers /api/health with 200 (container health checks).
    #[command(after_help = COMMAND_HELP)]
    Healthcheck {
        #[command(flatten)]
        listen: ListenOptions,
    },
    /// Import the Django app's users (passwords kept), holdings and Wall Street history into
    /// DATABASE_URL (migrated first), in one transaction. Safe to re-run: rows already there
    /// are counted, not added. For a PostgreSQL source, give the password in PGPASSWORD (or
    /// ~/.pgpass) rather than in the URL, to keep it out of process listings.
    #[command(after_help = COMMAND_HELP)]
    ImportDjango {
        /// The Django database: postgres://user@host/db, sqlite://path, or a file written by
        /// `manage.py dumpdata`.
        #[arg(long)]
        source: String,
        /// Print the report and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the valid rows and report the others; without it, any invalid row stops the
        /// whole import.
        #[arg(long)]
        skip_invalid: bool,
        #[command(flatten)]
        database: DatabaseOptions,
        // The calendar tells which imported weeks are over.
        #[command(flatten)]
        game: GameOptions,
    },
    /// Record a game week's start prices (from --prices, which also adds missing tickers as
    /// options, else Finnhub). Safe to re-run.
    #[command(after_help = MARKET_COMMAND_HELP)]
    OpenWeek {
        #[command(flatten)]
        week: WeekOptions,
        #[command(flatten)]
        database: DatabaseOptions,
        #[command(flatten)]
        quotes: QuoteOptions,
    },
    /// Copy the SQLite database to a new file while the server keeps running (SQLite's VACUUM
    /// INTO), and check the copy. On PostgreSQL it says to use pg_dump and exits 2.
    #[command(after_help = COMMAND_HELP)]
    Backup {
        /// The new file to write.
        #[arg(long)]
        output: PathBuf,
        #[command(flatten)]
        database: DatabaseOptions,
    },
    /// Write everything the app owns (accounts with their password hashes, ledgers, watch
    /// lists, the game, stored closes) to a new file, as one JSON document, while the server
    /// keeps running. Sessions and login counters are left out.
    #[command(after_help = COMMAND_HELP)]
    Export {
        /// The new file to write (readable by its owner only: it holds password hashes).
        #[arg(long)]
        output: PathBuf,
        #[command(flatten)]
        database: DatabaseOptions,
    },
    /// Load a file written by `api export` into DATABASE_URL (migrated first), keeping every
    /// id, in one transaction. The database must be empty: it is refused otherwise.
    #[command(after_help = COMMAND_HELP)]
    Import {
        /// The file `api export` wrote.
        #[arg(long)]
        input: PathBuf,
        #[command(flatten)]
        database: DatabaseOptions,
    },
    /// Load daily closes from a CSV file of `symbol,date,close` rows (with that header) into the
    /// price store, replacing stored closes of the same days. All rows or none.
    #[command(after_help = COMMAND_HELP)]
    ImportCloses {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseOptions,
    },
    /// Load exchange rates from a CSV file of `date,base,quote,rate` rows (1 base = rate quote,
    /// with that header) into the rate store, replacing stored rates of the same days. All rows
    /// or none.
    #[command(after_help = COMMAND_HELP)]
    ImportFx {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseOptions,
    },
    /// Record a game week's end prices (from --prices, else Finnhub), score and rank it. Safe to re-run.
    #[command(after_help = MARKET_COMMAND_HELP)]
    CloseWeek {
        #[command(flatten)]
        week: WeekOptions,
        /// Close the week before its last market close.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        database: DatabaseOptions,
        #[command(flatten)]
        game: GameOptions,
        #[command(flatten)]
        quotes: QuoteOptions,
    },
}

/// Which week `open-week` and `close-week` work on, and the prices given by hand.
#[derive(Debug, Args)]
pub struct WeekOptions {
    /// The week's Sunday, YYYY-MM-DD.
    #[arg(long)]
    pub sunday: String,
    /// A CSV file of `ticker,price` lines.
    #[arg(long)]
    pub prices: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryProvider {
    Stooq,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FxProvider {
    Ecb,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Staging,
    Production,
}

/// Everything the server reads, group by group.
#[derive(Debug, Args)]
pub struct Options {
    #[command(flatten)]
    pub database: DatabaseOptions,
    #[command(flatten)]
    pub listen: ListenOptions,
    #[command(flatten)]
    pub http: HttpOptions,
    #[command(flatten)]
    pub tokens: TokenOptions,
    #[command(flatten)]
    pub logins: LoginOptions,
    #[command(flatten)]
    pub game: GameOptions,
    #[command(flatten)]
    pub scheduler: SchedulerOptions,
    #[command(flatten)]
    pub quotes: QuoteOptions,
    #[command(flatten)]
    pub user_quotes: UserQuoteOptions,
    #[command(flatten)]
    pub portfolio: PortfolioOptions,
}

/// Every command logs, so this one is global; it sits with each command's own flags.
#[derive(Debug, Args)]
pub struct LoggingOptions {
    /// Log lines as `text` (for people) or `json`, one object each (for log collectors).
    // The values are named above: listed with their descriptions, they would switch every
    // command's `--help` to clap's long layout, three times the lines.
    #[arg(
        long,
        env = "LOG_FORMAT",
        value_enum,
        default_value = "text",
        hide_possible_values = true,
        global = true
    )]
    pub log_format: LogFormat,
}
