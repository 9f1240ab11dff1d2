//! `api open-week` / `api close-week`: the same idempotent steps as the staff endpoints.

use crate::cli::{DatabaseOptions, QuoteOptions, WeekOptions};
use crate::db::sql_types::DbDecimal;
use crate::domain::Sunday;
use crate::game::lifecycle::{self, Step, StepContext};
use crate::prices::{Budget, ManualPrices, MarketData};
use crate::settings;
use crate::telemetry::Metrics;

/// Runs `step` for the week of `--sunday`, with prices from the `--prices` file
/// (`ticker,price` lines) or else the market-data source, and prints the week's options.
pub fn run(
    week: &WeekOptions,
    database: &DatabaseOptions,
    quotes: &QuoteOptions,
    step: Step<'_>,
) -> Result<(), String> {
    let sunday = Sunday::parse(&week.sunday).map_err(|err| format!("--sunday: {err}"))?;
    let given = match &week.prices {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|err| format!("{}: {err}", path.display()))?;
            ManualPrices::from_csv(&text).map_err(|err| format!("{}: {err}", path.display()))?
        }
        None => ManualPrices::default(),
    };
    let pool = super::migrated_pool(database)?;
    let budget = Budget::new(pool.clone(), settings::game_budget(quotes));
    // A command's metrics are not served; the market data counts into them all the same.
    let market = settings::finnhub(quotes, std::env::var("FINNHUB_TOKEN").ok())
        .map(|finnhub| MarketData::new(finnhub, budget, &Metrics::new().market))
        .transpose()?;
    let options = actix_web::rt::System::new().block_on(async {
        lifecycle::run_step(StepContext {
            pool: &pool,
            market: market.as_ref(),
            week: sunday,
            step,
            given,
            now: chrono::Utc::now(),
        })
        .await
        .map_err(|err| err.to_string())
    })?;
    let text = |value: Option<DbDecimal>| value.map_or("-".to_owned(), |v| v.0.to_string());
    for option in options {
        println!(
            "{:<6} start {:>12}  end {:>12}  change {:>8}%  rank {}",
            option.ticker,
            text(option.start_price),
            text(option.end_price),
            text(option.percent_change),
            option.rank.map_or("-".to_owned(), |r| r.to_string()),
        );
    }
    Ok(())
}
