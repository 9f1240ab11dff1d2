//! Validators (`ETag`, `Last-Modified`), conditional requests and byte ranges.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A strong entity tag for one representation of a file: size and modification time, plus the
/// content coding for compressed variants.
pub fn etag(len: u64, modified: SystemTime, coding: Option<&str>) -> String {
    let nanos = modified
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_nanos();
    match coding {
        Some(coding) => format!("\"{len:x}-{nanos:x}-{coding}\""),
        None => format!("\"{len:x}-{nanos:x}\""),
    }
}

/// Whether the client's cached copy is current (answer 304). `If-None-Match` wins over
/// `If-Modified-Since` when both are sent (RFC 9110 §13.2.2).
pub fn not_modified(
    if_none_match: Option<&str>,
    if_modified_since: Option<&str>,
    etag: &str,
    modified: SystemTime,
) -> bool {
    if let Some(tags) = if_none_match {
        return tags
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag);
    }
    match if_modified_since.and_then(|date| httpdate::parse_http_date(date).ok()) {
        Some(since) => truncate_to_seconds(modified) <= since,
        None => false,
    }
}

fn truncate_to_seconds(time: SystemTime) -> SystemTime {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// What a `Range` header asks of a file of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeRequest {
    /// No usable range: send the whole file (also for multi-range requests, which we decline).
    Full,
    /// Inclusive byte positions.
    Partial { start: u64, end: u64 },
    /// Nothing of the file is in the range: 416.
    Unsatisfiable,
}

pub fn range(header: Option<&str>, if_range: Option<&str>, etag: &str, len: u64) -> RangeRequest {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeRequest::Full;
    };
    // A stale If-Range means "send everything" rather than a piece of a different file.
    if if_range.is_some_and(|tag| tag.trim() != etag) {
        return RangeRequest::Full;
    }
    if spec.contains(',') {
        return RangeRequest::Full;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeRequest::Full;
    };
    let (first, last) = (first.trim(), last.trim());
    let parse = |s: &str| s.parse::<u64>().ok();
    match (first.is_empty(), last.is_empty()) {
        (true, true) => RangeRequest::Full,
        (true, false) => match parse(last) {
            Some(0) => RangeRequest::Unsatisfiable,
            Some(suffix) if len > 0 => RangeRequest::Partial {
                start: len.saturating_sub(suffix),
                end: len - 1,
            },
            Some(_) => RangeRequest::Unsatisfiable,
            None => RangeRequest::Full,
        },
        (false, _) => {
            let Some(start) = parse(first) else {
                return RangeRequest::Full;
            };
            let end = if last.is_empty() {
                Some(u64::MAX)
            } else {
                parse(last)
            };
            match end {
                None => RangeRequest::Full,
                Some(end) if end < start => RangeRequest::Full,
                Some(_) if start >= len => RangeRequest::Unsatisfiable,
                Some(end) => RangeRequest::Partial {
                    start,
                    end: end.min(len - 1),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        let tag = "\"a\"";
        assert_eq!(range(None, None, tag, 100), RangeRequest::Full);
        assert_eq!(
            range(Some("bytes=0-9"), None, tag, 100),
            RangeRequest::Partial { start: 0, end: 9 }
        );
        assert_eq!(
            range(Some("bytes=90-"), None, tag, 100),
            RangeRequest::Partial { start: 90, end: 99 }
        );
        assert_eq!(
            range(Some("bytes=-10"), None, tag, 100),
            RangeRequest::Partial { start: 90, end: 99 }
        );
        assert_eq!(
            range(Some("bytes=-500"), None, tag, 100),
            RangeRequest::Partial { start: 0, end: 99 }
        );
        assert_eq!(
            range(Some("bytes=50-5000"), None, tag, 100),
            RangeRequest::Partial { start: 50, end: 99 }
        );
        assert_eq!(
            range(Some("bytes=100-"), None, tag, 100),
            RangeRequest::Unsatisfiable
        );
        assert_eq!(
            range(Some("bytes=-0"), None, tag, 100),
            RangeRequest::Unsatisfiable
        );
        assert_eq!(
            range(Some("bytes=0-1,5-6"), None, tag, 100),
            RangeRequest::Full
        );
        assert_eq!(range(Some("bytes=9-1"), None, tag, 100), RangeRequest::Full);
        assert_eq!(range(Some("items=0-1"), None, tag, 100), RangeRequest::Full);
        assert_eq!(
            range(Some("bytes=0-9"), Some("\"old\""), tag, 100),
            RangeRequest::Full
        );
        assert_eq!(
            range(Some("bytes=0-9"), Some(tag), tag, 100),
            RangeRequest::Partial { start: 0, end: 9 }
        );
    }

    #[test]
    fn validators_answer_conditional_requests() {
        let modified = UNIX_EPOCH + Duration::from_millis(1_700_000_000_500);
        let tag = etag(10, modified, None);
        assert!(not_modified(Some(&tag), None, &tag, modified));
        assert!(not_modified(
            Some(&format!("\"x\", W/{tag}")),
            None,
            &tag,
            modified
        ));
        assert!(!not_modified(Some("\"x\""), None, &tag, modified));
        let date = httpdate::fmt_http_date(modified);
        assert!(not_modified(None, Some(&date), &tag, modified));
        let earlier = httpdate::fmt_http_date(modified - Duration::from_secs(60));
        assert!(!not_modified(None, Some(&earlier), &tag, modified));
        assert!(
            !not_modified(Some("\"x\""), Some(&date), &tag, modified),
            "If-None-Match wins"
        );
        assert_ne!(etag(10, modified, Some("br")), tag);
    }
}
