//! The reverse proxy in front of the API: serves the web UI from a folder (with the single-page
//! app fallback) and forwards the API prefixes to one or more upstream API servers.
//!
//! `config` (settings, parsed once) -> `service` (the pingora phases) -> `static_files` or
//! `upstreams` (discovery, health, selection); `responses` holds what the proxy answers itself.

pub mod config;
pub mod edge;
pub mod responses;
pub mod service;
pub mod static_files;
pub mod tls;
pub mod upstreams;
