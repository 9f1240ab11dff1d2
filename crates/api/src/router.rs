//! Every route in one place: the canonical `/api/` paths and the old Django paths the existing
//! React client calls. Paths are matched without their trailing slash (see `startup`), so
//! `/api/assets` and `/api/assets/` are the same route.

use actix_web::{web, Resource};

use crate::routes::{assets, fallback, health, tokens, users};

/// (canonical path, Django alias) for every endpoint that had one.
pub const ALIASES: &[(&str, &str)] = &[
    ("/api/users", "/portfolio/api/users"),
    ("/api/token", "/portfolio/api/token"),
    ("/api/token/refresh", "/portfolio/api/token/refresh"),
    ("/api/assets", "/portfolio/api/assets"),
    ("/api/assets/{id}", "/portfolio/api/asset/{id}"),
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, "/api/health", |r| {
        r.route(web::get().to(health::check))
            .route(web::head().to(health::check))
    });
    route(cfg, "/api/users", |r| {
        r.route(web::post().to(users::register))
    });
    route(cfg, "/api/token", |r| {
        r.route(web::post().to(tokens::obtain))
    });
    route(cfg, "/api/token/refresh", |r| {
        r.route(web::post().to(tokens::refresh))
    });
    route(cfg, "/api/assets", |r| {
        r.route(web::get().to(assets::list))
            .route(web::post().to(assets::create))
    });
    route(cfg, "/api/assets/{id}", |r| {
        r.route(web::get().to(assets::retrieve))
            .route(web::patch().to(assets::patch))
            .route(web::put().to(assets::replace))
            .route(web::delete().to(assets::delete))
    });
}

/// Registers `path` and its Django alias (if any) with the same handlers; any other method on
/// them is a JSON 405.
fn route(cfg: &mut web::ServiceConfig, path: &str, handlers: impl Fn(Resource) -> Resource) {
    let alias = ALIASES
        .iter()
        .find(|(canonical, _)| *canonical == path)
        .map(|(_, alias)| *alias);
    for path in std::iter::once(path).chain(alias) {
        cfg.service(
            handlers(web::resource(path)).default_service(web::to(fallback::method_not_allowed)),
        );
    }
}
