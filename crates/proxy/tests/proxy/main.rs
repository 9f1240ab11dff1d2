//! Integration tests: the real `proxy` binary with a temporary static folder, real `api`
//! servers, and stub upstreams where a failure must be staged.

mod helpers;

mod acme;
mod cli;
mod configuration;
mod forwarding;
mod http1;
mod metrics;
mod own_replies;
mod rate_limits;
mod request_ids;
mod resilience;
mod slow_clients;
mod static_files;
mod through_api;
mod tls;
