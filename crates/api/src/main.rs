use std::process::ExitCode;

use api::cli::{Cli, Command, Options};
use api::commands::import_django::{self, Mode};
use api::commands::{self, backup, closes, createsuperuser, demo_data, fx_rates, transfer, week};
use api::game::lifecycle::Step;
use api::settings::{self, Settings};
use api::startup::{Application, StartupError};
use clap::Parser;

/// Password hashing takes 19 MiB per Argon2id hash on its own threads, and requests allocate on
/// every worker and blocking thread: glibc keeps what each thread's arena once held (the api
/// sat at 107-146 MiB after a short load), mimalloc returns freed pages to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
shared::lean_allocator!();

fn main() -> ExitCode {
    let dotenv = shared::env::load_dotenv();
    let cli = Cli::parse();
    shared::logging::init("info", cli.logging.log_format);
    if let Err(err) = dotenv {
        log::error!("{err}");
        return ExitCode::from(2);
    }
    let command = cli.command.unwrap_or(Command::Serve(cli.server));
    match run(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            log::error!("{}", failure.message);
            eprintln!("api: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// Why a command failed, and its exit code: 1, or 2 for a command that does not apply here.
struct Failure {
    message: String,
    code: u8,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self { message, code: 1 }
    }
}

/// Why `api serve` failed: the server could not start (a bad setting among the reasons), or
/// the running server failed.
#[derive(Debug, thiserror::Error)]
enum ServeError {
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error("the server failed: {0}")]
    Run(#[source] std::io::Error),
}

impl From<ServeError> for Failure {
    /// The message is the error's own, which names the setting or resource to fix; every
    /// failure of the server exits 1.
    fn from(err: ServeError) -> Self {
        Self {
            message: err.to_string(),
            code: 1,
        }
    }
}

fn run(command: Command) -> Result<(), Failure> {
    let outcome: Result<(), String> = match command {
        Command::Serve(options) => return serve(&options).map_err(Failure::from),
        Command::Migrate { database } => commands::migrate(&database),
        Command::OpenWeek {
            week,
            database,
            quotes,
        } => week::run(&week, &database, &quotes, Step::Open),
        Command::CloseWeek {
            week,
            force,
            database,
            game,
            quotes,
        } => {
            let calendar = settings::calendar(&game).map_err(|err| err.to_string())?;
            let step = Step::Close {
                calendar: &calendar,
                force,
            };
            week::run(&week, &database, &quotes, step)
        }
        Command::Healthcheck { listen } => {
            let address = listen
                .listen
                .parse()
                .map_err(|_| format!("API_LISTEN {:?} is not an ip:port address", listen.listen))?;
            shared::probe::probe(
                address,
                shared::paths::API_HEALTH,
                std::time::Duration::from_secs(3),
            )
        }
        Command::ImportCloses { file, database } => closes::import(&database, &file),
        Command::ImportFx { file, database } => fx_rates::import(&database, &file),
        Command::Backup { output, database } => {
            return match backup::run(&database, &output) {
                Ok(bytes) => {
                    println!("Backed up {bytes} bytes to {}.", output.display());
                    Ok(())
                }
                Err(err @ backup::BackupError::NotSqlite) => Err(Failure {
                    message: err.to_string(),
                    code: 2,
                }),
                Err(err) => Err(err.to_string().into()),
            };
        }
        Command::Export { output, database } => transfer::export(&database, &output)
            .map(|summary| println!("Exported {summary} to {}.", output.display()))
            .map_err(|err| err.to_string()),
        Command::Import { input, database } => transfer::import(&database, &input)
            .map(|(summary, target)| println!("Imported {summary} into {target}."))
            .map_err(|err| err.to_string()),
        Command::ImportDjango {
            source,
            dry_run,
            skip_invalid,
            database,
            game,
        } => import_django::run(
            &database,
            &game,
            &source,
            Mode {
                dry_run,
                skip_invalid,
            },
        )
        .map_err(|err| err.to_string()),
        Command::DemoData { database, game } => demo_data::command(&database, &game),
        Command::Createsuperuser {
            username,
            email,
            database,
        } => {
            let pool = commands::migrated_pool(&database)?;
            createsuperuser::run(&pool, &username, &email)
        }
    };
    outcome.map_err(Failure::from)
}

/// Runs the server until SIGTERM or SIGINT, then lets in-flight requests finish (bounded by
/// `API_SHUTDOWN_TIMEOUT_SECS`).
fn serve(options: &Options) -> Result<(), ServeError> {
    let settings = Settings::from_options(
        options,
        std::env::var("SECRET_KEY").ok(),
        std::env::var("FINNHUB_TOKEN").ok(),
    )
    .map_err(StartupError::from)?;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        let handle = app.handle();
        actix_web::rt::spawn(async move {
            let signal = shutdown_signal().await;
            log::info!("{signal} received: finishing in-flight requests, then stopping");
            handle.stop(true).await;
        });
        app.run_until_stopped().await.map_err(ServeError::Run)?;
        log::info!("api stopped");
        Ok(())
    })
}

async fn shutdown_signal() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut interrupt = signal(SignalKind::interrupt()).expect("SIGINT handler");
    tokio::select! {
        _ = terminate.recv() => "SIGTERM",
        _ = interrupt.recv() => "SIGINT",
    }
}
