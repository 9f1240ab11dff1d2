//! The reverse proxy in front of the API: serves the web UI from a folder (with the single-page
//! app fallback) and forwards the API prefixes to one or more upstream API servers.
//!
//! `cli` (flags and environment) -> `config` (parsed once at start-up) -> `startup` (checks
//! the listen addresses, builds the services and runs them; the binary's `main` only maps its
//! error to an exit code) -> `service` (the pingora phases; one service per `listener`, plain
//! HTTP or HTTPS). `healthcheck` is the `proxy healthcheck` command. `connections` caps the
//! connections open at once and bounds how long and how large a request header may be, before
//! any request exists. For each request, `service` learns who it is from (`client_ip`) and asks
//! `routing` which way the path goes, then runs its steps in order: `rate_limits`, `edge`
//! (HTTPS and canonical-host redirects), the ACME challenge answer (`tls::acme`), the health
//! endpoint, `static_files`; anything left is forwarded to `upstreams` (discovery, health,
//! selection) with the headers `forwarding` sets. Everything the proxy answers itself is a
//! `reply::Reply` sent by the one `reply::writer::ReplyWriter`; `failure` turns a request that
//! failed on the way into its status and reply. `metrics` counts what happens, and serves it on
//! a listener of its own when `PROXY_METRICS_LISTEN` is set.

pub mod cli;
pub mod client_ip;
pub mod config;
pub mod connections;
pub mod edge;
pub mod failure;
pub mod forwarding;
pub mod healthcheck;
pub mod listener;
pub mod metrics;
pub mod rate_limits;
pub mod reply;
pub mod routing;
pub mod service;
pub mod startup;
pub mod static_files;
pub mod tls;
pub mod upstreams;
