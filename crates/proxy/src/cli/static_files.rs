//! The "Static files" settings: the web UI's folder, and what its requests may carry and
//! browsers may cache.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
#[command(next_help_heading = "Static files")]
pub struct StaticFileOptions {
    /// Folder of the web UI to serve.
    #[arg(long, env = "PROXY_STATIC_DIR", default_value = "web")]
    pub static_dir: PathBuf,

    /// Largest request body accepted on static paths, in bytes (413 beyond).
    #[arg(long, env = "PROXY_STATIC_MAX_BODY_BYTES", default_value_t = 1024)]
    pub static_max_body_bytes: u64,

    /// max-age, in seconds, for static files that are neither index.html nor fingerprinted
    /// (0 = browsers revalidate every time).
    #[arg(long, env = "PROXY_STATIC_MAX_AGE_SECS", default_value_t = 300)]
    pub static_max_age_secs: u64,
}
