//! The subcommands other than `serve` (`migrate`, `createsuperuser`, `open-week`, `close-week`,
//! `import-closes`, `import-django`, `backup`, `export`, `import`), and what they share.

pub mod backup;
pub mod closes;
pub mod createsuperuser;
pub mod demo_data;
pub mod fx_rates;
pub mod import_django;
pub mod transfer;
pub mod week;

use std::time::Duration;

use crate::cli::DatabaseOptions;
use crate::db::DbPool;
use crate::settings;

/// `api migrate`: applies every pending migration.
pub fn migrate(options: &DatabaseOptions) -> Result<(), String> {
    migrated_pool(options)?;
    println!("Database is up to date.");
    Ok(())
}

/// A pool on the configured database with every migration applied (waiting for the database
/// up to `DATABASE_STARTUP_WAIT_SECS`), for the commands that are not the server.
pub fn migrated_pool(options: &DatabaseOptions) -> Result<DbPool, String> {
    let pool = DbPool::new(
        &settings::database_url(options).map_err(|err| err.to_string())?,
        &settings::pool_options(options),
    )
    .map_err(|err| err.to_string())?;
    pool.migrate_when_ready(Duration::from_secs(options.database_startup_wait_secs))
        .map_err(|err| err.to_string())?;
    Ok(pool)
}
