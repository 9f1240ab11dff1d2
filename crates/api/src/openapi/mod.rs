//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` attributes and the
//! wire types, then completed by the rules in [`rules`] (what every operation of a kind can
//! answer, bearer security, the Django aliases), so those are stated once, not per handler.

pub mod rules;
pub mod schemas;

use std::sync::OnceLock;

use utoipa::OpenApi;

use self::rules::{CommonResponses, DjangoAliases, HeadIds, Security};

use crate::routes::wallstreet::{leaderboard, options, selections, weeks};
use crate::routes::{
    accounts, assets, docs, health, me, metrics, performance, portfolio, positions, quotes, tokens,
    transactions, users, watchlist,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "fattore API",
        description = "The portfolio manager's and the Wall Street game's API.\n\n\
            Every path also answers with a trailing slash (`/api/assets/` is `/api/assets`), as \
            the old Django paths did. The Django paths the old React client calls are listed \
            too, marked deprecated, each the same operation as the canonical path it names.\n\n\
            Errors are JSON: `{\"detail\": \"...\", \"code\": \"...\"}`, or for invalid input \
            `{\"field\": [\"message\", ...]}` naming every bad field. A method a path does not \
            take is a 405 (`method_not_allowed`); a path no route takes is a 404. Decimals \
            (shares, cost basis, prices, money) are exact, written as strings; dates are \
            `YYYY-MM-DD`.\n\n\
            Authenticate with `Authorization: Bearer <access>`, the access token from \
            `POST /api/token/`."
    ),
    paths(
        health::check,
        users::register,
        tokens::obtain,
        tokens::refresh,
        tokens::logout,
        me::retrieve,
        me::update,
        me::delete,
        me::change_password,
        assets::list,
        assets::create,
        assets::export_csv,
        assets::import,
        assets::retrieve,
        assets::patch,
        assets::replace,
        assets::delete,
        accounts::list,
        accounts::create,
        accounts::patch,
        accounts::delete,
        transactions::list,
        transactions::create,
        transactions::retrieve,
        transactions::patch,
        transactions::replace,
        transactions::delete,
        transactions::export_csv,
        transactions::import,
        options::list,
        options::create,
        selections::list,
        selections::create,
        selections::retrieve,
        selections::delete,
        leaderboard::list,
        weeks::retrieve,
        weeks::open,
        weeks::close,
        quotes::list,
        metrics::render,
        portfolio::summary,
        portfolio::history,
        positions::positions,
        positions::realized,
        performance::performance,
        watchlist::list,
        watchlist::add,
        watchlist::remove,
        docs::openapi_json,
        docs::page,
        docs::asset,
    ),
    components(schemas(schemas::FieldErrors, shared::wire::ErrorBody)),
    modifiers(&Security, &CommonResponses, &HeadIds, &DjangoAliases),
    tags(
        (name = "accounts", description = "Registration, tokens and the caller's own account."),
        (name = "portfolio", description = "The caller's holdings, their value and history."),
        (name = "ledger", description = "The caller's accounts and transactions (buys, sells, dividends, splits), and what they add up to: positions, realized gains, performance."),
        (name = "wallstreet", description = "The weekly stock-picking game."),
        (name = "market", description = "Prices through the server."),
        (name = "meta", description = "Health, metrics and this documentation."),
    )
)]
pub struct ApiDoc;

/// The document as served, built once.
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .expect("the OpenAPI document serialises")
    })
}
