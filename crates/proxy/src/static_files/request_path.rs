//! Turning a request path into safe path segments under the static root.

use percent_encoding::percent_decode_str;

/// Why a request path can never name a file under the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathRejection {
    /// Traversal or encoding tricks (`..`, `%2e%2e`, `%2f`, backslashes, NUL, bad UTF-8).
    Malformed,
    /// A dotfile or dot-folder (`.env`, `.git/config`): never served.
    Hidden,
}

/// Splits a request path (without its query) into decoded segments that are safe to join onto
/// the static root: no empty, `.` or `..` segments, no separators or NUL inside a segment, no
/// leading dots.
pub fn safe_segments(raw: &str) -> Result<Vec<String>, PathRejection> {
    if !raw.starts_with('/') {
        return Err(PathRejection::Malformed);
    }
    let mut segments = Vec::new();
    for encoded in raw.split('/').filter(|s| !s.is_empty()) {
        let segment = percent_decode_str(encoded)
            .decode_utf8()
            .map_err(|_| PathRejection::Malformed)?;
        // An encoded separator or NUL is an attempt to smuggle structure past the split above.
        if segment.contains(['/', '\\', '\0']) || segment == "." || segment == ".." {
            return Err(PathRejection::Malformed);
        }
        if segment.starts_with('.') {
            return Err(PathRejection::Hidden);
        }
        segments.push(segment.into_owned());
    }
    Ok(segments)
}

/// Whether a (decoded) path segment looks like a file name, with an extension: such paths get
/// a real 404 when missing instead of the single-page app's index.
pub fn has_extension(segment: &str) -> bool {
    segment
        .rfind('.')
        .is_some_and(|dot| dot > 0 && dot + 1 < segment.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_paths_split_into_segments() {
        assert_eq!(safe_segments("/").unwrap(), Vec::<String>::new());
        assert_eq!(
            safe_segments("/assets//app.js").unwrap(),
            vec!["assets", "app.js"]
        );
        assert_eq!(safe_segments("/a%20b.txt").unwrap(), vec!["a b.txt"]);
    }

    #[test]
    fn every_traversal_form_is_refused() {
        for raw in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/a%2f..%2f..%2fetc",
            "/..%5c..%5cetc",
            "/a\\..\\b",
            "/index.html%00.js",
            "/%ff%fe",
            "etc/passwd",
            "/./index.html",
        ] {
            assert_eq!(safe_segments(raw), Err(PathRejection::Malformed), "{raw}");
        }
    }

    #[test]
    fn dotfiles_are_hidden() {
        for raw in ["/.env", "/.git/config", "/assets/.secret", "/%2egit/HEAD"] {
            assert_eq!(safe_segments(raw), Err(PathRejection::Hidden), "{raw}");
        }
    }

    #[test]
    fn extensions_are_detected_on_decoded_segments() {
        assert!(has_extension("app-x.js"));
        assert!(!has_extension("settings"));
        assert!(!has_extension("trailing."));
        let last = |raw: &str| safe_segments(raw).unwrap().last().cloned().unwrap();
        assert!(has_extension(&last("/foo%2ejs")));
        assert!(has_extension(&last("/assets/missing.js/")));
        assert!(!has_extension(&last("/v1.2/route")));
    }
}
