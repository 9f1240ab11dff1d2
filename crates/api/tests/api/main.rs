//! Integration tests: every behaviour through HTTP against the real server, on SQLite and on
//! PostgreSQL.

mod helpers;

mod assets;
mod backup;
mod binary;
mod cli;
mod closes;
mod database_faults;
mod demo_data;
mod django_passwords;
mod errors;
mod flood;
mod health;
mod holdings_csv;
mod import_crash;
mod import_django;
mod ledger;
mod ledger_migration;
mod login_throttle;
mod metrics;
mod openapi;
mod operations;
mod passwords;
mod portfolio;
mod quotes;
mod request_ids;
mod schemathesis;
mod sessions;
mod settings;
mod tokens;
mod transactions_csv;
mod transfer;
mod users;
mod wallstreet;
mod watchlist;
