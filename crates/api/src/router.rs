//! Every route in one place: the canonical `/api/` paths and the old Django paths the existing
//! React client calls. Paths are matched without their trailing slash (see `startup`), so
//! `/api/assets` and `/api/assets/` are the same route.

use actix_web::{web, Resource};
use shared::paths::{API_HEALTH, METRICS, PORTFOLIO_API_PREFIX, WALLSTREET_API_PREFIX};

use crate::routes::wallstreet::{leaderboard, options, selections, weeks};
use crate::routes::{
    assets, fallback, health, me, metrics, portfolio, quotes, tokens, users, watchlist,
};

/// (canonical path, old Django app's prefix, the path under it) for every endpoint that had one.
const ALIASES: &[(&str, &str, &str)] = &[
    ("/api/users", PORTFOLIO_API_PREFIX, "users"),
    ("/api/token", PORTFOLIO_API_PREFIX, "token"),
    ("/api/token/refresh", PORTFOLIO_API_PREFIX, "token/refresh"),
    ("/api/assets", PORTFOLIO_API_PREFIX, "assets"),
    ("/api/assets/{id}", PORTFOLIO_API_PREFIX, "asset/{id}"),
    ("/api/wallstreet/options", WALLSTREET_API_PREFIX, "options"),
    (
        "/api/wallstreet/selections",
        WALLSTREET_API_PREFIX,
        "selections",
    ),
    (
        "/api/wallstreet/selections/{id}",
        WALLSTREET_API_PREFIX,
        "selection/{id}",
    ),
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, API_HEALTH, |r| {
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
    route(cfg, "/api/token/logout", |r| {
        r.route(web::post().to(tokens::logout))
    });
    route(cfg, "/api/users/me", |r| {
        r.route(web::get().to(me::retrieve))
            .route(web::delete().to(me::delete))
    });
    route(cfg, "/api/users/me/password", |r| {
        r.route(web::post().to(me::change_password))
    });
    route(cfg, "/api/assets", |r| {
        r.route(web::get().to(assets::list))
            .route(web::post().to(assets::create))
    });
    // Before `/api/assets/{id}`, which would otherwise match them.
    route(cfg, "/api/assets/export.csv", |r| {
        r.route(web::get().to(assets::export_csv))
    });
    route(cfg, "/api/assets/import", |r| {
        r.route(web::post().to(assets::import))
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
    route(cfg, METRICS, |r| r.route(web::get().to(metrics::render)));
    route(cfg, "/api/portfolio/summary", |r| {
        r.route(web::get().to(portfolio::summary))
    });
    route(cfg, "/api/portfolio/history", |r| {
        r.route(web::get().to(portfolio::history))
    });
    route(cfg, "/api/watchlist", |r| {
        r.route(web::get().to(watchlist::list))
            .route(web::post().to(watchlist::add))
    });
    route(cfg, "/api/watchlist/{ticker}", |r| {
        r.route(web::delete().to(watchlist::remove))
    });
}

/// Registers `path` and its Django alias (if any) with the same handlers; any other method on
/// them is a JSON 405.
fn route(cfg: &mut web::ServiceConfig, path: &str, handlers: impl Fn(Resource) -> Resource) {
    let alias = ALIASES
        .iter()
        .find(|(canonical, _, _)| *canonical == path)
        .map(|(_, prefix, rest)| format!("{prefix}{rest}"));
    for path in std::iter::once(path.to_owned()).chain(alias) {
        cfg.service(
            handlers(web::resource(path)).default_service(web::to(fallback::method_not_allowed)),
        );
    }
}
