use std::process::ExitCode;

use std::path::Path;

use api::cli::{Cli, Command, Options};
use api::commands::createsuperuser;
use api::db::DbPool;
use api::domain::Sunday;
use api::game::lifecycle::{self, Step};
use api::prices::{FinnhubClient, ManualPrices};
use api::settings::{self, Settings};
use api::startup::Application;
use clap::Parser;

fn main() -> ExitCode {
    let dotenv = shared::env::load_dotenv();
    let cli = Cli::parse();
    shared::logging::init("info");
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
        Command::Migrate => {
            migrated_pool(options)?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::OpenWeek { sunday, prices } => {
            week_command(options, &sunday, prices.as_deref(), Step::Open, false)
        }
        Command::CloseWeek {
            sunday,
            prices,
            force,
        } => week_command(options, &sunday, prices.as_deref(), Step::Close, force),
        Command::Healthcheck => {
            let listen = options.listen.parse().map_err(|_| {
                format!("API_LISTEN {:?} is not an ip:port address", options.listen)
            })?;
            shared::probe::probe(listen, "/api/health", std::time::Duration::from_secs(3))
        }
        Command::Createsuperuser { username, email } => {
            let pool = migrated_pool(options)?;
            createsuperuser::run(&pool, &username, &email)
        }
    }
}

/// A pool on the configured database with every migration applied (waiting for the database
/// up to `DATABASE_STARTUP_WAIT_SECS`), for the commands that are not the server.
fn migrated_pool(options: &Options) -> Result<DbPool, String> {
    let pool = DbPool::new(
        &settings::database_url(options)?,
        &settings::pool_options(options),
    )
    .map_err(|err| err.to_string())?;
    pool.migrate_when_ready(std::time::Duration::from_secs(
        options.database_startup_wait_secs,
    ))
    .map_err(|err| err.to_string())?;
    Ok(pool)
}

/// `api open-week` / `api close-week`: the same idempotent steps as the staff endpoints.
fn week_command(
    options: &Options,
    sunday: &str,
    prices: Option<&Path>,
    step: Step,
    force: bool,
) -> Result<(), String> {
    let sunday = Sunday::parse(sunday).map_err(|err| format!("--sunday: {err}"))?;
    let manual = match prices {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|err| format!("{}: {err}", path.display()))?;
            ManualPrices::from_csv(&text).map_err(|err| format!("{}: {err}", path.display()))?
        }
        None => ManualPrices::default(),
    };
    let calendar = settings::calendar(options)?;
    let finnhub = settings::finnhub(options, std::env::var("FINNHUB_TOKEN").ok())
        .map(FinnhubClient::new)
        .transpose()?;
    let pool = migrated_pool(options)?;
    let options = actix_web::rt::System::new().block_on(async {
        lifecycle::run_step(
            &pool,
            &calendar,
            sunday,
            step,
            manual,
            finnhub.as_ref(),
            chrono::Utc::now(),
            force,
        )
        .await
        .map_err(|err| err.to_string())
    })?;
    for option in options {
        let text = |value: Option<api::db::sql_types::DbDecimal>| {
            value.map_or("-".to_owned(), |v| v.0.to_string())
        };
        println!(
            "{:<6} start {:>12}  end {:>12}  change {:>8}%  rank {}",
            option.ticker,
            text(option.start_price),
            text(option.end_price),
            text(option.percent_change),
            option.rank.map_or("-".to_owned(), |r| r.to_string()),
        );
    }
    Ok(())
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
