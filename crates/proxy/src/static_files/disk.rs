//! Finding a request's file on disk: inside the root only (symlinks too), no dotfiles, a folder
//! to its `index.html`, and the precompressed siblings that may be served instead.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::conditional;
use super::encoding::Coding;

/// One file that can be served, as found on disk.
#[derive(Debug)]
pub struct FileInfo {
    pub path: PathBuf,
    pub name: String,
    pub len: u64,
    pub modified: SystemTime,
    pub etag: String,
    /// `app.js.br` / `app.js.gz` next to the file, newer than it.
    pub precompressed: Vec<(Coding, PathBuf, u64)>,
}

/// Resolves segments under `root`, following symlinks only while they stay inside it, and
/// a folder to its `index.html` (folders are never listed).
pub fn locate(root: &Path, segments: &[String]) -> Option<FileInfo> {
    let candidate = segments
        .iter()
        .fold(root.to_path_buf(), |path, segment| path.join(segment));
    let mut real = inside(root, &candidate)?;
    let mut meta = real.metadata().ok()?;
    if meta.is_dir() {
        real = inside(root, &real.join("index.html"))?;
        meta = real.metadata().ok()?;
    }
    if !meta.is_file() {
        return None;
    }
    let modified = meta.modified().ok()?;
    let name = real.file_name()?.to_string_lossy().into_owned();
    let precompressed = [Coding::Brotli, Coding::Gzip]
        .into_iter()
        .filter_map(|coding| {
            let sibling = inside(
                root,
                &real.with_file_name(format!("{name}.{}", coding.suffix())),
            )?;
            let sibling_meta = sibling.metadata().ok()?;
            // A sibling older than its source would serve stale content.
            let fresh = sibling_meta.is_file() && sibling_meta.modified().ok()? >= modified;
            fresh.then_some((coding, sibling, sibling_meta.len()))
        })
        .collect();
    Some(FileInfo {
        etag: conditional::etag(meta.len(), modified, None),
        path: real,
        name,
        len: meta.len(),
        modified,
        precompressed,
    })
}

/// The canonical form of `path` if it exists, lies under `root` and passes through no dotfile
/// (a symlink may not lead out of the root or onto a hidden file).
fn inside(root: &Path, path: &Path) -> Option<PathBuf> {
    let real = path.canonicalize().ok()?;
    let relative = real.strip_prefix(root).ok()?;
    let hidden = relative
        .components()
        .any(|part| part.as_os_str().to_string_lossy().starts_with('.'));
    (!hidden).then_some(real)
}
