//! Builds the application from settings and runs the HTTP server.

mod error;

pub use error::StartupError;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::{Server, ServerHandle};
use actix_web::http::header;
use actix_web::middleware::{from_fn, DefaultHeaders, NormalizePath, TrailingSlash};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use shared::paths::API_PREFIXES;
use shared::request::REQUEST_ID_HEADER;

use crate::auth::pruning::Pruner;
use crate::auth::{AccountCache, Authenticator, Hasher, LoginTiming, TokenService};
use crate::clock::{SharedClock, SystemClock};
use crate::db::{DbError, DbPool};
use crate::error::ApiError;
use crate::fx::DailyRates;
use crate::game::scheduler::Scheduler;
use crate::game::Game;
use crate::models::user;
use crate::portfolio::Portfolio;
use crate::prices::{Budget, DailyCloses, MarketData};
use crate::router;
use crate::routes::docs::OpenApiJson;
use crate::routes::fallback;
use crate::settings::Settings;
use crate::telemetry::{self, Metrics};

/// A bound, not yet running, server, with its background work: the pruning of expired auth
/// state, and the game's scheduler when it runs.
pub struct Application {
    port: u16,
    server: Server,
    pruner: Pruner,
    scheduler: Option<Scheduler>,
}

impl Application {
    /// Connects to the database (waiting for it up to the configured time), applies migrations
    /// and binds the listener.
    pub fn build(settings: Settings) -> Result<Self, StartupError> {
        Self::build_with_clock(settings, std::sync::Arc::new(SystemClock))
    }

    /// As [`Application::build`], with the game's notion of "now" supplied (tests move it).
    pub fn build_with_clock(settings: Settings, clock: SharedClock) -> Result<Self, StartupError> {
        crate::domain::load_common_passwords();
        let metrics = Metrics::new();
        let pool = DbPool::observed(
            &settings.database_url,
            &settings.pool,
            std::sync::Arc::new(metrics.db.clone()),
        )?;
        pool.migrate_when_ready(settings.database_startup_wait)?;
        let timing = login_timing(&pool).map_err(StartupError::LoginTiming)?;
        let cannot_listen = |source| StartupError::Listen {
            address: settings.listen,
            source,
        };
        let listener = TcpListener::bind(settings.listen).map_err(cannot_listen)?;
        let local = listener.local_addr().map_err(cannot_listen)?;
        log::info!(
            "api listening on http://{local} ({} database, {:?} mode, {} workers, {} hashing threads)",
            pool.backend_name(),
            settings.environment,
            settings.workers,
            settings.hash_threads,
        );
        let budget = Budget::new(pool.clone(), settings.budget);
        let provider = settings
            .history
            .as_ref()
            .map(|history| history.provider())
            .transpose()?;
        let closes = DailyCloses::new(
            pool.clone(),
            provider,
            settings.calendar.clone(),
            budget.clone(),
            metrics.market.cache("closes"),
        );
        let fx_provider = settings.fx.as_ref().map(|fx| fx.provider()).transpose()?;
        let rates = DailyRates::new(pool.clone(), fx_provider, metrics.market.cache("fx"));
        // The game's prices are Finnhub's or typed in by staff; never a close.
        let prices = match &settings.finnhub {
            Some(finnhub) => Some(
                MarketData::new(finnhub.clone(), budget.clone(), &metrics.market)
                    .map_err(|reason| StartupError::MarketData { reason })?,
            ),
            None => {
                log::info!(
                    "no FINNHUB_TOKEN: quotes are the latest daily closes, and staff enter game prices by hand"
                );
                None
            }
        };
        let market = prices.clone().unwrap_or_else(|| {
            MarketData::from_closes(
                closes.clone(),
                clock.clone(),
                budget.clone(),
                settings.quote_caching,
                &metrics.market,
            )
        });
        let scheduler = settings.scheduler_interval.map(|interval| Scheduler {
            pool: pool.clone(),
            calendar: settings.calendar.clone(),
            clock: clock.clone(),
            prices: prices.clone(),
            closes: closes.clone(),
            rates: rates.clone(),
            interval,
            metrics: metrics.scheduler.clone(),
        });
        let portfolio = Portfolio {
            market,
            closes,
            rates,
            calendar: settings.calendar.clone(),
            clock: clock.clone(),
            watchlist_max: settings.watchlist_max,
        };
        let game = Game {
            calendar: settings.calendar.clone(),
            clock,
            prices,
        };
        let pruner = Pruner {
            pool: pool.clone(),
            policy: settings.login_throttle.clone(),
            interval: settings.prune_interval,
        };
        let server = serve(listener, pool, game, timing, portfolio, metrics, &settings)
            .map_err(StartupError::Server)?;
        Ok(Self {
            port: local.port(),
            server,
            pruner,
            scheduler,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped; the background work runs alongside and stops with the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let background: Vec<_> = std::iter::once(tokio::spawn(self.pruner.run()))
            .chain(
                self.scheduler
                    .map(|scheduler| tokio::spawn(scheduler.run())),
            )
            .collect();
        let served = self.server.await;
        for task in background {
            task.abort();
        }
        served
    }
}

/// The login floor for the hashes this database holds (see `auth::login_timing`).
fn login_timing(pool: &DbPool) -> Result<LoginTiming, DbError> {
    let mut conn = pool.get()?;
    let imported = user::imported_password_hashes(&mut conn)?;
    Ok(LoginTiming::calibrate(imported.iter().map(String::as_str)))
}

fn serve(
    listener: TcpListener,
    pool: DbPool,
    game: Game,
    timing: LoginTiming,
    portfolio: Portfolio,
    metrics: Metrics,
    settings: &Settings,
) -> std::io::Result<Server> {
    let hasher = Hasher::new(settings.hash_threads, settings.hash_queue);
    let authenticator = web::Data::new(Authenticator::new(
        pool.clone(),
        hasher.clone(),
        settings.login_throttle.clone(),
        std::sync::Arc::new(timing),
    ));
    let hasher = web::Data::new(hasher);
    let trusted_proxies = web::Data::new(settings.trusted_proxies.clone());
    let metrics = web::Data::new(metrics);
    let pool = web::Data::new(pool);
    let game = web::Data::new(game);
    let portfolio = web::Data::new(portfolio);
    let tokens = web::Data::new(TokenService::new(
        settings.secret_key.expose(),
        settings.access_token_lifetime,
        settings.refresh_token_lifetime,
    ));
    let accounts = web::Data::new(AccountCache::new(settings.account_cache));
    let openapi = web::Data::new(OpenApiJson(crate::openapi::json()));
    let cors_origins = settings.cors_origins.clone();
    let static_dir = settings.static_dir.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(pool.clone())
            .app_data(tokens.clone())
            .app_data(accounts.clone())
            .app_data(game.clone())
            .app_data(portfolio.clone())
            .app_data(hasher.clone())
            .app_data(authenticator.clone())
            .app_data(trusted_proxies.clone())
            .app_data(metrics.clone())
            .app_data(openapi.clone())
            .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
            .app_data(web::QueryConfig::default().error_handler(|err, _| {
                ApiError::bad_request(format!("Invalid query string: {err}"), "invalid").into()
            }))
            .wrap(cors(&cors_origins))
            .wrap(security_headers())
            .wrap(NormalizePath::new(TrailingSlash::Trim))
            // Outermost, so that every response (CORS refusals and preflights included) is
            // logged with its id and carries it, and its path is the one the client sent.
            .wrap(from_fn(telemetry::requests::track))
            .configure(router::configure)
            .configure(|cfg| static_files(cfg, static_dir.as_deref()))
            .default_service(web::to(fallback::not_found))
    })
    .workers(settings.workers)
    .worker_max_blocking_threads(blocking_threads_per_worker(settings))
    .shutdown_timeout(settings.shutdown_timeout.as_secs())
    // Slow or idle clients must not hold sockets forever.
    .client_request_timeout(Duration::from_secs(10))
    .client_disconnect_timeout(Duration::from_secs(5))
    .keep_alive(Duration::from_secs(75))
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}

/// Database work and password hashes run on each worker's blocking threads. actix allows 512
/// of them per process by default, and every request waiting for a pooled connection held one
/// (90 threads, and their memory, under 64 concurrent requests): a worker needs no more than
/// its share of the pool's connections, plus room for the hashes, which have their own bound.
/// Work past that waits its turn in the worker's queue.
fn blocking_threads_per_worker(settings: &Settings) -> usize {
    let connections = settings.pool.max_size as usize;
    connections.div_ceil(settings.workers.max(1)) + settings.hash_threads
}

/// Headers every answer gets unless its handler set its own. `Cache-Control: no-store`: API
/// answers carry tokens and users' data, which no cache on the way (or the browser's disk) may
/// keep; the few public ones (the docs' files, a served UI's index) say otherwise themselves.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((header::CACHE_CONTROL, "no-store"))
}

fn cors(origins: &[String]) -> Cors {
    let cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        // Browser clients may read the id, to quote it when they report a failure.
        .expose_headers([REQUEST_ID_HEADER])
        .max_age(3600)
        // A foreign origin simply gets no CORS headers; the browser enforces the refusal.
        .block_on_origin_mismatch(false);
    if origins.iter().any(|origin| origin == "*") {
        return cors.allow_any_origin();
    }
    origins
        .iter()
        .fold(cors, |cors, origin| cors.allowed_origin(origin))
}

/// With `API_STATIC_DIR` set, the API serves the web UI itself, with the same single-page-app
/// fallback the proxy has.
fn static_files(cfg: &mut web::ServiceConfig, dir: Option<&Path>) {
    let Some(dir) = dir else { return };
    let index = dir.join("index.html");
    cfg.service(
        actix_files::Files::new("/", dir)
            .index_file("index.html")
            // Other methods fall through to the JSON 404/405 handling instead of actix-files'
            // plain-text refusal.
            .guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
            .default_handler(web::to(move |req: HttpRequest| {
                spa_fallback(req, index.clone())
            })),
    );
}

async fn spa_fallback(req: HttpRequest, index: PathBuf) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    let is_api = API_PREFIXES
        .iter()
        .any(|prefix| format!("{path}/").starts_with(prefix));
    let has_extension = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    if is_api
        || has_extension
        || !matches!(
            *req.method(),
            actix_web::http::Method::GET | actix_web::http::Method::HEAD
        )
    {
        return Err(ApiError::NotFound);
    }
    let file = actix_files::NamedFile::open_async(&index)
        .await
        .map_err(|_| ApiError::NotFound)?;
    let mut response = file.into_response(&req);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache"),
    );
    Ok(response)
}
