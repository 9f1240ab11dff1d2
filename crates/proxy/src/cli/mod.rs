//! The command line: every flag and its environment variable (clap), grouped as `--help`
//! shows them. Each heading's settings are a struct of their own in the file named for it,
//! flattened into [`Options`] in the order of the headings; the rules for reading their values
//! that `--help` states are in `values`. The `config` module turns them into the parsed
//! settings.

use clap::Parser;
use shared::logging::LogFormat;

mod forwarded_headers;
mod health_checks;
mod host_names;
mod limits;
mod listeners;
mod static_files;
mod tls;
mod upstreams;
mod values;

pub use forwarded_headers::ForwardedHeaderOptions;
pub use health_checks::HealthCheckOptions;
pub use host_names::{HostNameOptions, UnknownHost};
pub use limits::LimitOptions;
pub use listeners::ListenerOptions;
pub use static_files::StaticFileOptions;
pub use tls::TlsOptions;
pub use upstreams::UpstreamOptions;
pub use values::{comma_separated, off_when_zero};

const AFTER_HELP: &str = "\
Zero in a seconds setting turns off what can be off (keep-alive, passive cooldown, HSTS, the
shutdown grace, browser caching of plain static files) and is a start-up error for the rest
(timeouts, health and DNS intervals, certificate reloads and expiry checks, ACME renew-before).
Zero also turns off a connection cap or a rate limit; a rate that is on needs a burst of 1 or more.

Environment only:
  RUST_LOG   Log filter, e.g. `info` or `proxy=debug,access=info` [default: info]. Access-log
             lines use the target `access`.

Settings are read from flags, then the environment, then a `.env` file in the working
directory, then the defaults shown above.";

// Every setting. `--help` lists a heading where its first setting comes, and each setting in
// the order it is added: the groups are flattened in the order of the headings, so the help
// reads as it always has. (Plain comments: clap would take doc comments here for the help.)
#[derive(Debug, Parser)]
#[command(
    name = "proxy",
    version,
    about = "Serves the web UI and forwards the API to its upstream servers."
)]
#[command(after_help = AFTER_HELP)]
pub struct Options {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub listeners: ListenerOptions,

    #[command(flatten)]
    pub upstreams: UpstreamOptions,

    #[command(flatten)]
    pub static_files: StaticFileOptions,

    #[command(flatten)]
    pub health_checks: HealthCheckOptions,

    #[command(flatten)]
    pub limits: LimitOptions,

    #[command(flatten)]
    pub forwarded_headers: ForwardedHeaderOptions,

    #[command(flatten)]
    pub tls: TlsOptions,

    #[command(flatten)]
    pub host_names: HostNameOptions,

    /// Log lines as text (for people) or one JSON object each (for log collectors).
    #[arg(
        long,
        env = "LOG_FORMAT",
        value_enum,
        default_value = "text",
        help_heading = "Logging"
    )]
    pub log_format: LogFormat,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run the proxy (the default).
    Serve,
    /// Exit 0 when the proxy at PROXY_LISTEN answers its health endpoint (container health checks).
    Healthcheck,
}
