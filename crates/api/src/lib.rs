//! The API server: accounts with JWT, portfolio holdings, and the Wall Street game, over
//! PostgreSQL or SQLite.
//!
//! Request flow: `router` (every path) -> `routes` (HTTP handlers), which read the request
//! through `input` (the JSON body field by field, query and path parameters) into `domain`
//! values, check the caller with `auth`, and either apply the Wall Street rules in `game` or
//! call `models` (diesel queries) directly; both reach the database through `db`, whose
//! `DbPool::run` does blocking work off the async executor. `views` shape the responses, and
//! `error` is the one place a failure (`DbError`, `GameError` or the handlers' own) becomes a
//! JSON response.
//!
//! Around that: `cli` and `settings` read the configuration, `startup` assembles and runs the
//! server (and the game's scheduler), `telemetry` gives every request its id and access-log
//! line, `commands` are the other subcommands (`migrate`, `createsuperuser`, `open-week`,
//! `close-week`, `import-closes`), `prices` is where share prices come from (quotes, company
//! profiles, daily closes), `portfolio` holds what the portfolio's endpoints share, and `clock`
//! is the game's notion of now.

pub mod auth;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod db;
pub mod domain;
pub mod error;
pub mod fx;
pub mod game;
pub mod input;
pub mod ledger;
pub mod models;
pub mod openapi;
pub mod portfolio;
pub mod prices;
pub mod router;
pub mod routes;
pub mod settings;
pub mod startup;
pub mod telemetry;
pub mod views;
