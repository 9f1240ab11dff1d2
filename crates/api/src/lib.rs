//! The API server: accounts with JWT, portfolio holdings, and the Wall Street game, over
//! PostgreSQL or SQLite.
//!
//! Request flow: `router` (paths) -> `routes` (HTTP handlers) -> `domain` (validated values)
//! -> `models` (diesel queries) -> `db` (pool over either backend); `views` shape responses and
//! `error` turns every failure into a JSON response.

pub mod auth;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod db;
pub mod domain;
pub mod error;
pub mod game;
pub mod input;
pub mod models;
pub mod prices;
pub mod router;
pub mod routes;
pub mod settings;
pub mod startup;
pub mod views;
