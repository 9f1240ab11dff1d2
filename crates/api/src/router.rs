//! Every route in one place: the canonical `/api/` paths and the old Django paths the existing
//! React client calls. Paths are matched without their trailing slash (see `startup`), so
//! `/api/assets` and `/api/assets/` are the same route.

use actix_web::{web, Resource};

use crate::routes::wallstreet::{leaderboard, options, selections, weeks};
use crate::routes::{assets, fallback, health, quotes, tokens, users};

/// (canonical path, Django alias) for every endpoint that had one.
pub const ALIASES: &[(&str, &str)] = &[
    ("/api/users", "/portfolio/api/users"),
    ("/api/token", "/portfolio/api/token"),
    ("/api/token/refresh", "/portfolio/api/token/refresh"),
    ("/api/assets", "/portfolio/api/assets"),
    ("/api/assets/{id}", "/portfolio/api/asset/{id}"),
    ("/api/wallstreet/options", "/wallstreet/api/options"),
    ("/api/wallstreet/selections", "/wallstreet/api/selections"),
    (
        "/api/wallstreet/selections/{id}",
        "/wallstreet/api/selection/{id}",
    ),
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
    route(cfg, "/api/wallstreet/options", |r| {
        r.route(web::get().to(options::list))
            .route(web::post().to(options::create))
    });
    route(cfg, "/api/wallstreet/selections", |r| {
        r.route(web::get().to(selections::list))
            .route(web::post().to(selections::create))
    });
    route(cfg, "/api/wallstreet/selections/{id}", |r| {
        r.route(web::get().to(selections::retrieve))
            .route(web::delete().to(selections::delete))
    });
    route(cfg, "/api/wallstreet/leaderboard", |r| {
        r.route(web::get().to(leaderboard::list))
    });
    route(cfg, "/api/wallstreet/weeks/{sunday}", |r| {
        r.route(web::get().to(weeks::retrieve))
    });
    route(cfg, "/api/wallstreet/weeks/{sunday}/open", |r| {
        r.route(web::post().to(weeks::open))
    });
    route(cfg, "/api/wallstreet/weeks/{sunday}/close", |r| {
        r.route(web::post().to(weeks::close))
    });
    route(cfg, "/api/quotes", |r| r.route(web::get().to(quotes::list)));
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
