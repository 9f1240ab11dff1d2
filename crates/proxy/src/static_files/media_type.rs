//! Content types and cache policies by file name.

use std::time::Duration;

/// The `Content-Type` for a file name, by extension.
pub fn content_type(name: &str) -> &'static str {
    match extension(name).as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("map") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("ttf") => "font/ttf",
        Some("wasm") => "application/wasm",
        Some("txt") => "text/plain; charset=utf-8",
        Some("xml") => "application/xml",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Whether compressing the type is worth it (text-like formats; images and fonts already are).
pub fn is_compressible(name: &str) -> bool {
    matches!(
        extension(name).as_deref(),
        Some(
            "html"
                | "htm"
                | "js"
                | "mjs"
                | "css"
                | "json"
                | "map"
                | "webmanifest"
                | "svg"
                | "txt"
                | "xml"
                | "wasm"
                | "ico"
        )
    )
}

fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
}

/// `Cache-Control` for a file: revalidate the app shell every time, keep fingerprinted assets
/// forever, and everything else briefly.
pub fn cache_control(name: &str, default_max_age: Duration) -> String {
    if name.ends_with(".html") || name.ends_with(".htm") {
        "no-cache".to_owned()
    } else if is_fingerprinted(name) {
        "public, max-age=31536000, immutable".to_owned()
    } else {
        format!("public, max-age={}", default_max_age.as_secs())
    }
}

/// Whether the name carries a content hash, as bundlers write them: `app.3f9a1c.js`,
/// `index-BmS7a9Qz.js`, `chunk.5d41402abc4b2a76b9719d911017c592.css`. The hash is its own
/// part of the name (after `.`, `-` or `_`): lower-case hex with digits and letters, or a
/// mixed-case base64-style run with a digit. Dates and counters (`IMG20240101`,
/// `manifest2024`) are not hashes: caching them for a year would keep stale copies.
pub fn is_fingerprinted(name: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    stem.split(['.', '-', '_']).skip(1).any(|part| {
        let has = |test: fn(&char) -> bool| part.chars().any(|c| test(&c));
        let hex = part.len() >= 6
            && part
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
            && has(char::is_ascii_digit)
            && has(char::is_ascii_lowercase);
        let base64 = (8..=64).contains(&part.len())
            && part.chars().all(|c| c.is_ascii_alphanumeric())
            && has(char::is_ascii_digit)
            && has(char::is_ascii_lowercase)
            && has(char::is_ascii_uppercase);
        hex || base64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_types_are_named_correctly() {
        let cases = [
            ("index.html", "text/html; charset=utf-8"),
            ("app.js", "text/javascript; charset=utf-8"),
            ("mod.mjs", "text/javascript; charset=utf-8"),
            ("site.css", "text/css; charset=utf-8"),
            ("data.json", "application/json"),
            ("logo.svg", "image/svg+xml"),
            ("a.png", "image/png"),
            ("a.JPG", "image/jpeg"),
            ("a.webp", "image/webp"),
            ("favicon.ico", "image/x-icon"),
            ("f.woff2", "font/woff2"),
            ("m.wasm", "application/wasm"),
            ("app.js.map", "application/json"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("blob", "application/octet-stream"),
        ];
        for (name, expected) in cases {
            assert_eq!(content_type(name), expected, "{name}");
        }
    }

    #[test]
    fn fingerprints_are_recognised() {
        for name in [
            "app.3f9a1c.js",
            "index-BmS7a9Qz.js",
            "chunk.5d41402abc4b2a76b9719d911017c592.css",
            "logo_a1b2c3d4.svg",
        ] {
            assert!(is_fingerprinted(name), "{name}");
        }
        for name in [
            "app.js",
            "app-x.js",
            "jquery-3.7.1.min.js",
            "index.html",
            "favicon.ico",
            "settings.json",
            "IMG20240101.jpg",
            "photo-IMG20240101.jpg",
            "manifest2024.json",
            "v-20240101.json",
        ] {
            assert!(!is_fingerprinted(name), "{name}");
        }
    }

    #[test]
    fn cache_policies_follow_the_name() {
        let short = Duration::from_secs(300);
        assert_eq!(cache_control("index.html", short), "no-cache");
        assert_eq!(
            cache_control("app.3f9a1c.js", short),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control("robots.txt", short), "public, max-age=300");
    }
}
