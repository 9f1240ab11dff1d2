//! The "Static files" settings parsed: the web UI's folder, found once at start-up.

use std::path::PathBuf;

use super::error::{ConfigError, InvalidValue};
use crate::cli::StaticFileOptions;

const SETTING: &str = "PROXY_STATIC_DIR";

/// The folder as an absolute path with no links in it, so that the static files can tell a
/// request path that leads out of it.
pub fn static_dir(options: &StaticFileOptions) -> Result<PathBuf, ConfigError> {
    let folder = &options.static_dir;
    let static_dir = folder.canonicalize().map_err(|source| {
        ConfigError::new(
            SETTING,
            InvalidValue::Unreachable {
                path: folder.clone(),
                source,
            },
        )
    })?;
    if !static_dir.is_dir() {
        return Err(ConfigError::new(
            SETTING,
            InvalidValue::NotAFolder(static_dir),
        ));
    }
    Ok(static_dir)
}
