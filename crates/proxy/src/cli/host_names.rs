//! The "Host names" settings: the one name the site answers to, the names redirected to it,
//! and what becomes of any other.

use clap::Args;

#[derive(Debug, Args)]
#[command(next_help_heading = "Host names")]
pub struct HostNameOptions {
    /// The one host name the site answers to; other known names are redirected to it.
    #[arg(long, env = "PROXY_CANONICAL_HOST")]
    pub canonical_host: Option<String>,

    /// Comma-separated names (or *.domain patterns) redirected to the canonical host.
    #[arg(long, env = "PROXY_HOST_ALIASES")]
    pub host_aliases: Option<String>,

    /// What to do with other host names when a canonical host is set.
    #[arg(long, env = "PROXY_UNKNOWN_HOST", value_enum, default_value = "reject")]
    pub unknown_host: UnknownHost,
}

/// What to do with a request for a host that is neither canonical nor an alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UnknownHost {
    /// 421 Misdirected Request.
    Reject,
    /// Redirect to the canonical host like an alias.
    Redirect,
    /// Serve it as if it were canonical.
    Allow,
}
