use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::db::DbPool;
use crate::error::ApiError;
use crate::game::scoring;
use crate::input::params;
use crate::models::selection;
use crate::views::wallstreet::{AllTimeEntry, Page, WeeklyEntry};

const DEFAULT_PAGE_SIZE: usize = 25;
const MAX_PAGE_SIZE: usize = 100;

/// `GET /api/wallstreet/leaderboard/?sunday=D`: one closed week's ranking by score (the mean
/// percent change of a user's picks); without `sunday`, the all-time ranking by total score.
/// Public, paginated (`page`, `page_size`), usernames only.
#[utoipa::path(
    get,
    path = "/api/wallstreet/leaderboard",
    operation_id = "leaderboard",
    tag = "wallstreet",
    params(
        ("sunday" = Option<chrono::NaiveDate>, Query, description = "A closed week, by its Sunday; without it, the all-time ranking."),
        ("page" = Option<usize>, Query, minimum = 1, description = "The page, from 1."),
        ("page_size" = Option<usize>, Query, minimum = 1, description = "Entries a page: 25 unless given, at most 100."),
    ),
    responses(
        (status = 200, description = "A page of the ranking, as DRF's page-number pagination: `next` and `previous` are links or null.", body = Page<crate::openapi::schemas::LeaderboardEntry>),
        (status = 404, description = "A page past the last (`not_found`).", body = shared::wire::ErrorBody),
    )
)]
pub async fn list(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    query: web::Query<params::Query>,
) -> Result<HttpResponse, ApiError> {
    let page = params::positive(&query, "page")?.unwrap_or(1);
    let page_size = params::positive(&query, "page_size")?
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .min(MAX_PAGE_SIZE);
    let week = params::date(&query, "sunday")?;
    let picks = pool
        .query(move |conn| selection::scored_picks(conn, week))
        .await?;
    let weekly = weekly_scores(&picks);
    let body = match week {
        Some(_) => {
            let entries = weekly
                .into_iter()
                .map(|((user, _), result)| (user, result))
                .collect();
            let results = ranked(
                entries,
                |(score, _)| *score,
                |rank, username, (score, picks)| WeeklyEntry {
                    rank,
                    username,
                    score: score.to_string(),
                    picks,
                },
            );
            paginate(&req, results, page, page_size)?
        }
        None => {
            let per_week: Vec<(String, Decimal)> = weekly
                .into_iter()
                .map(|((user, _), (score, _))| (user, score))
                .collect();
            let standings = scoring::all_time(&per_week).into_iter().collect();
            let results = ranked(
                standings,
                |standing| standing.total,
                |rank, username, standing| AllTimeEntry {
                    rank,
                    username,
                    total: standing.total.to_string(),
                    average: standing.average.to_string(),
                    weeks_played: standing.weeks_played,
                },
            );
            paginate(&req, results, page, page_size)?
        }
    };
    Ok(HttpResponse::Ok().json(body))
}

/// Competition-ranks users by `score` and lists them by rank, then username.
fn ranked<T, E>(
    entries: Vec<(String, T)>,
    score: impl Fn(&T) -> Decimal,
    entry: impl Fn(u32, String, T) -> E,
) -> Vec<E> {
    let ranks =
        scoring::competition_ranks(&entries.iter().map(|(_, e)| score(e)).collect::<Vec<_>>());
    let mut ranked: Vec<(u32, String, T)> = ranks
        .into_iter()
        .zip(entries)
        .map(|(rank, (user, e))| (rank, user, e))
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    ranked
        .into_iter()
        .map(|(rank, user, e)| entry(rank, user, e))
        .collect()
}

/// (username, week) -> (score, number of picks).
fn weekly_scores(picks: &[selection::ScoredPick]) -> BTreeMap<(String, NaiveDate), (Decimal, u32)> {
    let mut changes: BTreeMap<(String, NaiveDate), Vec<Decimal>> = BTreeMap::new();
    for (username, sunday, change) in picks {
        changes
            .entry((username.clone(), *sunday))
            .or_default()
            .push(change.0);
    }
    changes
        .into_iter()
        .filter_map(|(key, values)| {
            Some((key, (scoring::weekly_score(&values)?, values.len() as u32)))
        })
        .collect()
}

fn paginate<T: Serialize>(
    req: &HttpRequest,
    all: Vec<T>,
    page: usize,
    page_size: usize,
) -> Result<serde_json::Value, ApiError> {
    let count = all.len();
    let pages = count.div_ceil(page_size).max(1);
    if page > pages {
        return Err(ApiError::NotFound);
    }
    let link = |page: usize| {
        let mut query: Vec<(String, String)> =
            web::Query::<Vec<(String, String)>>::from_query(req.query_string())
                .map(|q| q.into_inner())
                .unwrap_or_default()
                .into_iter()
                .filter(|(key, _)| key != "page")
                .collect();
        query.push(("page".into(), page.to_string()));
        let encoded: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        format!("{}?{}", req.path(), encoded.join("&"))
    };
    let results: Vec<T> = all
        .into_iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .collect();
    let body = Page {
        count,
        next: (page < pages).then(|| link(page + 1)),
        previous: (page > 1).then(|| link(page - 1)),
        results,
    };
    serde_json::to_value(body).map_err(ApiError::internal)
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
