use std::process::ExitCode;

use clap::Parser;
use proxy::cli::{Command, Options};
use proxy::{healthcheck, startup};

/// pingora allocates per request on several threads at once; glibc's allocator serialises
/// them on arena locks (a fifth of the proxied-request profile), mimalloc's per-thread heaps do
/// not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
shared::lean_allocator!();

/// Reads the command line (a `.env` file first), runs the command, and turns why it failed
/// into a message and an exit code: 2 for a setting to fix, 1 otherwise.
fn main() -> ExitCode {
    let dotenv = shared::env::load_dotenv();
    let options = Options::parse();
    shared::logging::init("info", options.log_format);
    if let Err(err) = dotenv {
        eprintln!("proxy: {err}");
        return ExitCode::from(2);
    }
    match options.command {
        Some(Command::Healthcheck) => match healthcheck::probe(&options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("proxy: unhealthy: {err}");
                ExitCode::FAILURE
            }
        },
        Some(Command::Serve) | None => {
            let Err(err) = startup::run(options);
            eprintln!("proxy: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
