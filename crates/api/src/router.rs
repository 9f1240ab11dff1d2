//! Every route in one place: the canonical `/api/` paths and the old Django paths the existing
//! React client calls. Paths are matched without their trailing slash (see `startup`), so
//! `/api/assets` and `/api/assets/` are the same route.
//!
//! The table is built by one function, [`register`], for the app ([`configure`]) and as data
//! ([`registrations`]): the OpenAPI document is checked against the latter, so a route cannot
//! be added without its documentation being missed by a test.

use actix_web::http::Method;
use actix_web::{web, FromRequest, Handler, Resource, Responder};
use shared::paths::{API_HEALTH, METRICS, PORTFOLIO_API_PREFIX, WALLSTREET_API_PREFIX};

use crate::routes::docs::{DOCS, OPENAPI_JSON};
use crate::routes::wallstreet::{leaderboard, options, selections, weeks};
use crate::routes::{
    accounts, assets, docs, fallback, health, me, metrics, performance, portfolio, positions,
    quotes, tokens, transactions, users, watchlist,
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

/// One registered path and the methods it serves (any other is a 405).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// As routed: without a trailing slash, `{name}` for a path parameter.
    pub path: String,
    /// For a Django alias, the canonical path it serves the same as.
    pub alias_of: Option<&'static str>,
    pub methods: Vec<Method>,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    register(&mut Routes {
        sink: &mut |resource, _| {
            cfg.service(resource);
        },
    });
}

/// Every path [`configure`] registers, with its methods, from the same calls.
pub fn registrations() -> Vec<Registration> {
    let mut all = Vec::new();
    register(&mut Routes {
        sink: &mut |_, registration| all.push(registration),
    });
    all
}

fn register(routes: &mut Routes) {
    routes.add(API_HEALTH, |r| {
        r.on(Method::GET, health::check)
            .on(Method::HEAD, health::check)
    });
    routes.add("/api/users", |r| r.on(Method::POST, users::register));
    routes.add("/api/token", |r| r.on(Method::POST, tokens::obtain));
    routes.add("/api/token/refresh", |r| {
        r.on(Method::POST, tokens::refresh)
    });
    routes.add("/api/token/logout", |r| r.on(Method::POST, tokens::logout));
    routes.add("/api/users/me", |r| {
        r.on(Method::GET, me::retrieve)
            .on(Method::PATCH, me::update)
            .on(Method::DELETE, me::delete)
    });
    routes.add("/api/users/me/password", |r| {
        r.on(Method::POST, me::change_password)
    });
    routes.add("/api/assets", |r| {
        r.on(Method::GET, assets::list)
            .on(Method::POST, assets::create)
    });
    // Before `/api/assets/{id}`, which would otherwise match them.
    routes.add("/api/assets/export.csv", |r| {
        r.on(Method::GET, assets::export_csv)
    });
    routes.add("/api/assets/import", |r| r.on(Method::POST, assets::import));
    routes.add("/api/assets/{id}", |r| {
        r.on(Method::GET, assets::retrieve)
            .on(Method::PATCH, assets::patch)
            .on(Method::PUT, assets::replace)
            .on(Method::DELETE, assets::delete)
    });
    routes.add("/api/accounts", |r| {
        r.on(Method::GET, accounts::list)
            .on(Method::POST, accounts::create)
    });
    routes.add("/api/accounts/{id}", |r| {
        r.on(Method::PATCH, accounts::patch)
            .on(Method::DELETE, accounts::delete)
    });
    routes.add("/api/transactions", |r| {
        r.on(Method::GET, transactions::list)
            .on(Method::POST, transactions::create)
    });
    // Before `/api/transactions/{id}`, which would otherwise match them.
    routes.add("/api/transactions/export.csv", |r| {
        r.on(Method::GET, transactions::export_csv)
    });
    routes.add("/api/transactions/import", |r| {
        r.on(Method::POST, transactions::import)
    });
    routes.add("/api/transactions/{id}", |r| {
        r.on(Method::GET, transactions::retrieve)
            .on(Method::PATCH, transactions::patch)
            .on(Method::PUT, transactions::replace)
            .on(Method::DELETE, transactions::delete)
    });
    routes.add("/api/wallstreet/options", |r| {
        r.on(Method::GET, options::list)
            .on(Method::POST, options::create)
    });
    routes.add("/api/wallstreet/selections", |r| {
        r.on(Method::GET, selections::list)
            .on(Method::POST, selections::create)
    });
    routes.add("/api/wallstreet/selections/{id}", |r| {
        r.on(Method::GET, selections::retrieve)
            .on(Method::DELETE, selections::delete)
    });
    routes.add("/api/wallstreet/leaderboard", |r| {
        r.on(Method::GET, leaderboard::list)
    });
    routes.add("/api/wallstreet/weeks/{sunday}", |r| {
        r.on(Method::GET, weeks::retrieve)
    });
    routes.add("/api/wallstreet/weeks/{sunday}/open", |r| {
        r.on(Method::POST, weeks::open)
    });
    routes.add("/api/wallstreet/weeks/{sunday}/close", |r| {
        r.on(Method::POST, weeks::close)
    });
    routes.add("/api/quotes", |r| r.on(Method::GET, quotes::list));
    routes.add(METRICS, |r| r.on(Method::GET, metrics::render));
    routes.add("/api/portfolio/summary", |r| {
        r.on(Method::GET, portfolio::summary)
    });
    routes.add("/api/portfolio/history", |r| {
        r.on(Method::GET, portfolio::history)
    });
    routes.add("/api/portfolio/positions", |r| {
        r.on(Method::GET, positions::positions)
    });
    routes.add("/api/portfolio/realized", |r| {
        r.on(Method::GET, positions::realized)
    });
    routes.add("/api/portfolio/performance", |r| {
        r.on(Method::GET, performance::performance)
    });
    routes.add("/api/watchlist", |r| {
        r.on(Method::GET, watchlist::list)
            .on(Method::POST, watchlist::add)
    });
    routes.add("/api/watchlist/{ticker}", |r| {
        r.on(Method::DELETE, watchlist::remove)
    });
    routes.add(OPENAPI_JSON, |r| r.on(Method::GET, docs::openapi_json));
    routes.add(DOCS, |r| r.on(Method::GET, docs::page));
    routes.add("/api/docs/{file}", |r| r.on(Method::GET, docs::asset));
}

/// Where [`register`] puts each path's resource and what it registered.
struct Routes<'a> {
    sink: &'a mut dyn FnMut(Resource, Registration),
}

impl Routes<'_> {
    /// Registers `path` and its Django alias (if any) with the same handlers; any other method
    /// on them is a JSON 405.
    fn add(&mut self, path: &'static str, handlers: impl Fn(Endpoint) -> Endpoint) {
        let alias = ALIASES
            .iter()
            .find(|(canonical, _, _)| *canonical == path)
            .map(|(_, prefix, rest)| format!("{prefix}{rest}"));
        let paths = std::iter::once((path.to_owned(), None)).chain(alias.map(|a| (a, Some(path))));
        for (path, alias_of) in paths {
            let endpoint = handlers(Endpoint {
                resource: web::resource(path.as_str()),
                methods: Vec::new(),
            });
            let resource = endpoint
                .resource
                .default_service(web::to(fallback::method_not_allowed));
            let registration = Registration {
                path,
                alias_of,
                methods: endpoint.methods,
            };
            (self.sink)(resource, registration);
        }
    }
}

/// One path's resource being given its handlers, remembering the methods it was given.
struct Endpoint {
    resource: Resource,
    methods: Vec<Method>,
}

impl Endpoint {
    fn on<F, Args>(mut self, method: Method, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.methods.push(method.clone());
        self.resource = self.resource.route(web::method(method).to(handler));
        self
    }
}
