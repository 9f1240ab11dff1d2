//! Spawning the real server on 127.0.0.1:0 against a fresh database, and talking to it.

pub mod clock;
pub mod django;
pub mod ecb;
pub mod finnhub;
pub mod history;
pub mod postgres;

use std::path::PathBuf;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use std::sync::Arc;

use api::cli::{
    DatabaseOptions, Environment, GameOptions, HttpOptions, ListenOptions, LoginOptions, Options,
    PortfolioOptions, QuoteOptions, SchedulerOptions, TokenOptions, UserQuoteOptions,
};
use api::clock::{SharedClock, SystemClock};
use api::settings::Settings;
use api::startup::Application;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

pub const SECRET: &str = "an-integration-test-signing-key-of-decent-length";
pub const PASSWORD: &str = "s3cure-enough-password";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database of one backend; a SQLite file lives as long as this value.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!(
                    "sqlite://{}",
                    dir.path().join("nested/app.sqlite3").display()
                );
                Self {
                    url,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => Self {
                url: postgres::PgServer::shared().create_database(),
                _dir: None,
            },
        }
    }

    /// A database served by someone else (a private cluster in a test).
    pub fn external(url: String) -> Self {
        Self { url, _dir: None }
    }
}

/// A one-connection pool on a test database, for what a test sets up or inspects around the
/// API (blocking: async tests call it through `spawn_blocking`).
pub fn db_pool(url: &str) -> api::db::DbPool {
    let options = api::db::PoolOptions {
        max_size: 1,
        acquire_timeout: Duration::from_secs(10),
        statement_timeout: None,
    };
    api::db::DbPool::new(&url.parse().expect("a database url"), &options).expect("pool")
}

/// The real `api` binary serving `database_url` with `settings`, signing with the tests' key (so
/// tokens outlive a restart) and without the game's scheduler. The working directory is a
/// scratch one that is gone once the server has started, so nothing lands in the repository.
pub fn api_binary(
    database_url: &str,
    settings: &[(&str, &str)],
) -> test_support::servers::ApiServer {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let mut command = test_support::process::clean_command(env!("CARGO_BIN_EXE_api"));
    command
        .current_dir(dir.path())
        .env("DATABASE_URL", database_url)
        .env("SECRET_KEY", SECRET)
        .env("WALLSTREET_SCHEDULER", "false")
        .envs(settings.iter().copied());
    test_support::servers::ApiServer::start(&mut command)
}

/// Runs raw SQL on a test database (blocking).
pub fn execute_sql(url: &str, sql: &str) -> diesel::QueryResult<()> {
    use diesel::connection::SimpleConnection;
    let mut conn = db_pool(url).get().expect("a connection");
    api::with_conn!(&mut conn, |c| c.batch_execute(sql))
}

/// A staff account made the way `api createsuperuser` makes one; returns its id (blocking).
pub fn create_staff(url: &str, username: &str) -> i64 {
    api::commands::createsuperuser::create(&db_pool(url), username, "", PASSWORD.into())
        .expect("create staff account")
        .id
}

/// How long test servers reuse an account check: the production default, so that the tests of
/// logout and the rest also show the cache forgets at once what this process changed.
pub const ACCOUNT_CACHE_MS: u64 = 1000;

/// The server settings tests start from, independent of the process environment.
pub fn test_options(database_url: &str) -> Options {
    Options {
        database: DatabaseOptions {
            database_url: database_url.to_owned(),
            database_pool_size: 8,
            database_timeout_secs: 5,
            database_startup_wait_secs: 10,
        },
        listen: ListenOptions {
            listen: "127.0.0.1:0".into(),
        },
        http: HttpOptions {
            workers: 2,
            cors_origins: "http://localhost:8080".into(),
            static_dir: None::<PathBuf>,
            trusted_proxies: api::cli::DEFAULT_TRUSTED_PROXIES.into(),
            shutdown_timeout_secs: 5,
        },
        tokens: TokenOptions {
            environment: Environment::Development,
            access_token_lifetime_secs: 900,
            refresh_token_lifetime_secs: 86_400,
            account_cache_ms: ACCOUNT_CACHE_MS,
        },
        logins: LoginOptions {
            hash_threads: 0,
            hash_queue: 16,
            login_failures_per_username: 5,
            login_failures_per_account: 100,
            login_failures_per_ip: 20,
            login_backoff_secs: 30,
            login_backoff_max_secs: 900,
            login_failures_reset_secs: 3600,
            prune_interval_secs: 600,
        },
        game: GameOptions {
            wallstreet_timezone: "America/New_York".into(),
            wallstreet_market_open: "09:30".into(),
            wallstreet_market_close: "16:00".into(),
            wallstreet_holidays: String::new(),
        },
        scheduler: SchedulerOptions {
            wallstreet_scheduler: false,
            wallstreet_scheduler_interval_secs: 1,
        },
        quotes: QuoteOptions {
            finnhub_url: "http://127.0.0.1:9".into(),
            finnhub_timeout_secs: 1,
            quote_cache_secs: 30,
            quote_unknown_cache_secs: 900,
            finnhub_calls_per_minute: 0,
        },
        user_quotes: UserQuoteOptions {
            finnhub_game_reserve: 0,
            quote_user_symbols_per_minute: 0,
        },
        portfolio: PortfolioOptions {
            history_provider: api::cli::HistoryProvider::None,
            history_url: "http://127.0.0.1:9".into(),
            history_timeout_secs: 2,
            fx_provider: api::cli::FxProvider::None,
            fx_url: "http://127.0.0.1:9".into(),
            fx_timeout_secs: 2,
            watchlist_max_entries: 50,
        },
    }
}

/// A server with no Finnhub key (quotes are the latest closes) whose closes come from
/// `history` (Stooq's CSV) and, with `ecb`, whose exchange rates come from the ECB's, on `db`,
/// at `now` on a clock that stays there; `configure` adjusts the rest.
pub fn keyless_app_on(
    db: TestDb,
    history: &history::FakeHistory,
    ecb: Option<&ecb::FakeEcb>,
    now: &str,
    configure: impl FnOnce(&mut Options),
) -> TestApp {
    let mut options = test_options(&db.url);
    options.portfolio.history_provider = api::cli::HistoryProvider::Stooq;
    options.portfolio.history_url = history.url.clone();
    if let Some(ecb) = ecb {
        options.portfolio.fx_provider = api::cli::FxProvider::Ecb;
        options.portfolio.fx_url = ecb.url.clone();
    }
    configure(&mut options);
    let clock = clock::ManualClock::new(now.parse().expect("an RFC 3339 instant"));
    TestApp::spawn_game(db, options, None, clock)
}

/// As [`keyless_app_on`], on a new database of `backend`.
pub async fn keyless_app(
    backend: Backend,
    history: &history::FakeHistory,
    ecb: Option<&ecb::FakeEcb>,
    now: &str,
    configure: impl FnOnce(&mut Options),
) -> TestApp {
    let db = tokio::task::spawn_blocking(move || TestDb::new(backend))
        .await
        .expect("create database");
    keyless_app_on(db, history, ecb, now, configure)
}

/// A running server and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    handle: ServerHandle,
    db: TestDb,
}

/// A registered, logged-in user.
pub struct TestUser {
    pub id: i64,
    pub access: String,
    pub refresh: String,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Spawns with settings adjusted by `configure`.
    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Options)) -> Self {
        let db = tokio::task::spawn_blocking(move || TestDb::new(backend))
            .await
            .expect("create database");
        Self::spawn_on(db, configure)
    }

    pub fn spawn_on(db: TestDb, configure: impl FnOnce(&mut Options)) -> Self {
        let mut options = test_options(&db.url);
        configure(&mut options);
        Self::spawn_game(db, options, None, Arc::new(SystemClock))
    }

    /// A server with a game clock the test controls and, with `finnhub_token`, market data
    /// from `options.quotes.finnhub_url`.
    pub fn spawn_game(
        db: TestDb,
        options: Options,
        finnhub_token: Option<&str>,
        clock: SharedClock,
    ) -> Self {
        shared::logging::init("warn", shared::logging::LogFormat::Text);
        let settings = Settings::from_options(
            &options,
            Some(SECRET.into()),
            finnhub_token.map(str::to_owned),
        )
        .expect("settings");
        let app = Application::build_with_clock(settings, clock).expect("build app");
        let address = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            address,
            client,
            handle,
            db,
        }
    }

    pub fn database_url(&self) -> &str {
        &self.db.url
    }

    /// Runs `sql` on the app's database behind its back (as another process would), off the
    /// async executor; panics if it fails.
    pub async fn execute_sql(&self, sql: String) {
        let url = self.db.url.clone();
        tokio::task::spawn_blocking(move || execute_sql(&url, &sql))
            .await
            .expect("the SQL task")
            .unwrap_or_else(|err| panic!("SQL failed: {err}"));
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::POST, path, token, Some(&body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::PATCH, path, token, Some(&body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::PUT, path, token, Some(&body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::DELETE, path, token, None).await
    }

    pub async fn register(&self, username: &str, password: &str) -> Response {
        self.post(
            "/api/users/",
            None,
            json!({"username": username, "password": password}),
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.post(
            "/api/token/",
            None,
            json!({"username": username, "password": password}),
        )
        .await
    }

    /// Registers `username` and logs in.
    pub async fn user(&self, username: &str) -> TestUser {
        let registered =
            json_of(self.register(username, PASSWORD).await, StatusCode::CREATED).await;
        let tokens = json_of(self.login(username, PASSWORD).await, StatusCode::OK).await;
        TestUser {
            id: registered["id"].as_i64().expect("id"),
            access: tokens["access"].as_str().expect("access").to_owned(),
            refresh: tokens["refresh"].as_str().expect("refresh").to_owned(),
        }
    }

    /// Creates a holding for `user` and returns its JSON.
    pub async fn asset(&self, user: &TestUser, ticker: &str) -> Value {
        let body =
            json!({"ticker": ticker, "shares": "10", "costbasis": "100.50", "buy": "2024-01-02"});
        json_of(
            self.post("/api/assets/", Some(&user.access), body).await,
            StatusCode::CREATED,
        )
        .await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        // Stops accepting at once; the runtime going away ends the rest.
        drop(handle.stop(false));
    }
}

/// The JSON body of `response`, after checking its status (the body is shown when it differs).
pub async fn json_of(response: Response, expected: StatusCode) -> Value {
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, expected, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("not JSON ({err}): {text:?}"))
}

/// Runs each named `async fn(TestApp)` once per backend, as `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await;
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await;
                    super::$name(app).await;
                }
            )*
        }
    };
}

/// Runs each named `async fn(Backend)` once per backend, as `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! per_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await;
                }
            )*
        }
    };
}
