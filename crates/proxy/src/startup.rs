//! Start-up: from the parsed command line to a running server. The listen addresses are
//! checked (and port 0 picked) before anything else binds them (`listen_addresses`), the
//! configuration is parsed, the open-files limit is raised and the services are built, logged
//! and run (`server`). Whatever stops the proxy from starting is a [`StartupError`], whose exit
//! code tells a bad setting (2) from a listener the host cannot give (1).

mod error;
mod listen_addresses;
mod server;

pub use error::StartupError;

use std::convert::Infallible;
use std::sync::Arc;

use crate::cli::Options;
use crate::config::ProxyConfig;

/// Starts the proxy and serves until it is told to stop, when pingora ends the process; it
/// returns only the reason it could not start.
pub fn run(mut options: Options) -> Result<Infallible, StartupError> {
    // Held until the process exits.
    let _reserved = listen_addresses::reserve_any_ports(&mut options)?;
    let config = Arc::new(ProxyConfig::from_options(&options)?);
    listen_addresses::check_listen_addresses(&config)?;
    server::raise_open_files_limit(&config);
    let server = server::build(config)?;
    server.run_forever()
}
