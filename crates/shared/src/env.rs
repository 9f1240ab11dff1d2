//! Environment loading shared by both binaries.

use std::path::PathBuf;

/// Loads `.env` from the working directory (or a parent) into the process environment.
///
/// Variables already set in the environment win over the file, so a deployment's real settings
/// are never overridden by a stray file. A missing file is normal; a malformed one is an error
/// because silently ignoring half a configuration is worse than stopping.
pub fn load_dotenv() -> Result<Option<PathBuf>, String> {
    match dotenvy::dotenv() {
        Ok(path) => Ok(Some(path)),
        Err(err) if err.not_found() => Ok(None),
        Err(err) => Err(format!("could not read .env: {err}")),
    }
}
