use std::process::ExitCode;

use api::cli::{Cli, Command};
use api::commands::import_django::{self, Mode};
use api::commands::{self, closes, createsuperuser, week};
use api::game::lifecycle::Step;
use api::settings::Settings;
use api::startup::Application;
use clap::Parser;

fn main() -> ExitCode {
    let dotenv = shared::env::load_dotenv();
    let cli = Cli::parse();
    shared::logging::init("info", cli.options.log_format);
    if let Err(err) = dotenv {
        log::error!("{err}");
        return ExitCode::from(2);
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            log::error!("{err}");
            eprintln!("api: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let options = &cli.options;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let settings = Settings::from_options(
                options,
                std::env::var("SECRET_KEY").ok(),
                std::env::var("FINNHUB_TOKEN").ok(),
            )?;
            serve(settings)
        }
        Command::Migrate => commands::migrate(options),
        Command::OpenWeek { sunday, prices } => {
            week::run(options, &sunday, prices.as_deref(), Step::Open, false)
        }
        Command::CloseWeek {
            sunday,
            prices,
            force,
        } => week::run(options, &sunday, prices.as_deref(), Step::Close, force),
        Command::Healthcheck => {
            let listen = options.listen.parse().map_err(|_| {
                format!("API_LISTEN {:?} is not an ip:port address", options.listen)
            })?;
            shared::probe::probe(
                listen,
                shared::paths::API_HEALTH,
                std::time::Duration::from_secs(3),
            )
        }
        Command::ImportCloses { file } => closes::import(options, &file),
        Command::ImportDjango {
            source,
            dry_run,
            skip_invalid,
        } => import_django::run(
            options,
            &source,
            Mode {
                dry_run,
                skip_invalid,
            },
        )
        .map_err(|err| err.to_string()),
        Command::Createsuperuser { username, email } => {
            let pool = commands::migrated_pool(options)?;
            createsuperuser::run(&pool, &username, &email)
        }
    }
}

/// Runs the server until SIGTERM or SIGINT, then lets in-flight requests finish (bounded by
/// `API_SHUTDOWN_TIMEOUT_SECS`).
fn serve(settings: Settings) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        let handle = app.handle();
        actix_web::rt::spawn(async move {
            let signal = shutdown_signal().await;
            log::info!("{signal} received: finishing in-flight requests, then stopping");
            handle.stop(true).await;
        });
        app.run_until_stopped()
            .await
            .map_err(|err| err.to_string())?;
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
