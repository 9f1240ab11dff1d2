//! The web UI's files: safe path resolution, SPA fallback, validators and ranges, compression,
//! and a small cache so hot files cost neither a `stat` nor a read per request. Every answer,
//! errors included, is a [`Reply`] for the caller to send.

mod body_cache;
mod conditional;
mod disk;
mod encoding;
mod lookups;
mod media_type;
mod request_path;

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use pingora::http::{Method, RequestHeader, ResponseHeader};

use self::body_cache::BodyCache;
use self::conditional::RangeRequest;
use self::disk::FileInfo;
use self::encoding::Coding;
use self::lookups::{Lookup, Lookups};
use self::request_path::PathRejection;
use crate::metrics::CacheCounters;
use crate::reply::{security_headers, Body, Reply};

/// How long a resolved path is trusted before the file system is asked again. Deploys that swap
/// files are picked up within this time.
const LOOKUP_TTL: Duration = Duration::from_secs(2);
const LOOKUP_ENTRIES: usize = 4096;
/// Longer request paths are resolved every time rather than cached: the cache must not be a way
/// to pin memory with made-up URLs.
const LOOKUP_KEY_MAX: usize = 512;
/// Files up to this size are kept in memory once read.
const CACHED_FILE_MAX: u64 = 256 * 1024;
const BODY_CACHE_BYTES: usize = 32 * 1024 * 1024;
/// Text files are compressed on the fly between these sizes (larger ones go out as they are,
/// unless a precompressed sibling exists).
const COMPRESS_MIN: u64 = 512;
const COMPRESS_MAX: u64 = 4 * 1024 * 1024;

/// A file found on disk, with the headers every answer about it shares (type, dates, caching,
/// security), built once per lookup: a reply clones them rather than inserting each, which
/// parses, checks and allocates every name and value on every request.
struct Located {
    file: FileInfo,
    /// A text type, worth compressing (and so varying on `Accept-Encoding`).
    compressible: bool,
    common: ResponseHeader,
}

impl Located {
    fn new(file: FileInfo, default_max_age: Duration) -> pingora::Result<Self> {
        let mut common = ResponseHeader::build(200, Some(12))?;
        common.insert_header("Content-Type", media_type::content_type(&file.name))?;
        common.insert_header("Last-Modified", httpdate::fmt_http_date(file.modified))?;
        common.insert_header(
            "Cache-Control",
            media_type::cache_control(&file.name, default_max_age),
        )?;
        let compressible = media_type::is_compressible(&file.name);
        if compressible {
            common.insert_header("Vary", "Accept-Encoding")?;
        }
        security_headers(&mut common)?;
        Ok(Self {
            file,
            compressible,
            common,
        })
    }
}

pub struct StaticFiles {
    root: PathBuf,
    default_max_age: Duration,
    max_body_bytes: u64,
    /// Resolved request paths (or the knowledge that one names nothing).
    lookups: Mutex<Lookups<Option<Arc<Located>>>>,
    bodies: Mutex<BodyCache>,
    /// One on-the-fly compression at a time: a burst of first requests for a file compresses
    /// it once (the others wait and take the cached result), and compression can never occupy
    /// more than one blocking thread and one file's worth of memory.
    compressing: tokio::sync::Mutex<()>,
    /// Hits and misses of `lookups` and `bodies`, when metrics are on.
    path_cache: Option<CacheCounters>,
    body_cache: Option<CacheCounters>,
}

impl StaticFiles {
    /// `root` must be canonical (the configuration guarantees it). Requests declaring a body
    /// over `max_body_bytes`, or a chunked one, are refused. `caches` counts the path and body
    /// cache lookups, in that order.
    pub fn new(
        root: PathBuf,
        default_max_age: Duration,
        max_body_bytes: u64,
        caches: Option<(CacheCounters, CacheCounters)>,
    ) -> Self {
        let (path_cache, body_cache) = caches.unzip();
        Self {
            root,
            default_max_age,
            max_body_bytes,
            lookups: Mutex::new(Lookups::new(
                NonZeroUsize::new(LOOKUP_ENTRIES).expect("non-zero"),
                LOOKUP_TTL,
            )),
            bodies: Mutex::new(BodyCache::new(BODY_CACHE_BYTES)),
            compressing: tokio::sync::Mutex::new(()),
            path_cache,
            body_cache,
        }
    }

    /// The reply to a request for a static path (the writer leaves out the body of a HEAD).
    pub async fn respond(&self, req: &RequestHeader) -> pingora::Result<Reply> {
        let declared = req
            .headers
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let chunked = req.headers.contains_key("transfer-encoding");
        if chunked || declared.is_some_and(|len| len > self.max_body_bytes) {
            return Reply::status_text(413);
        }
        if req.method != Method::GET && req.method != Method::HEAD {
            let mut reply = Reply::status_text(405)?;
            reply.header.insert_header("Allow", "GET, HEAD")?;
            return Ok(reply);
        }
        let path = req.uri.path();
        let segments = match request_path::safe_segments(path) {
            Ok(segments) => segments,
            Err(PathRejection::Malformed) => return Reply::status_text(400),
            Err(PathRejection::Hidden) => return Reply::status_text(404),
        };
        let names_a_file = segments
            .last()
            .is_some_and(|last| request_path::has_extension(last));
        let located = match self.locate(path, segments).await? {
            Some(located) => located,
            // Like `try_files $uri /index.html`, but a missing `app-x.js` (however encoded or
            // followed by a slash) stays a 404 rather than HTML pretending to be JavaScript.
            None if !names_a_file => match self.locate("/", Vec::new()).await? {
                Some(index) => index,
                None => return Reply::status_text(404),
            },
            None => return Reply::status_text(404),
        };
        self.file_response(req, &located).await
    }

    async fn file_response(
        &self,
        req: &RequestHeader,
        located: &Located,
    ) -> pingora::Result<Reply> {
        let file = &located.file;
        let header_str = |name: &str| req.headers.get(name).and_then(|v| v.to_str().ok());
        let compressible = located.compressible;
        let range_header = header_str("range");
        let coding = if compressible && range_header.is_none() {
            self.choose_coding(file, header_str("accept-encoding"))
        } else {
            None
        };
        let etag = match coding {
            Some((coding, _)) => conditional::etag(file.len, file.modified, Some(coding.suffix())),
            None => file.etag.clone(),
        };

        let mut header = located.common.clone();
        header.insert_header("ETag", etag.as_str())?;

        if conditional::not_modified(
            header_str("if-none-match"),
            header_str("if-modified-since"),
            &etag,
            file.modified,
        ) {
            header.set_status(304)?;
            return Ok(Reply {
                header,
                body: Body::Empty,
            });
        }

        if let Some((coding, sibling)) = coding {
            header.insert_header("Content-Encoding", coding.token())?;
            let body = match sibling {
                Some((path, len)) => self.body(&path, 0, len, len, &etag).await?,
                None => Body::Bytes(self.compressed(file, coding, &etag).await?),
            };
            let len = match &body {
                Body::Bytes(bytes) => bytes.len() as u64,
                Body::File { len, .. } => *len,
                Body::Empty => 0,
            };
            header.insert_header("Content-Length", len.to_string())?;
            return Ok(Reply { header, body });
        }

        header.insert_header("Accept-Ranges", "bytes")?;
        match conditional::range(range_header, header_str("if-range"), &etag, file.len) {
            RangeRequest::Full => {
                header.insert_header("Content-Length", file.len.to_string())?;
                let body = self.body(&file.path, 0, file.len, file.len, &etag).await?;
                Ok(Reply { header, body })
            }
            RangeRequest::Partial { start, end } => {
                let len = end - start + 1;
                header.set_status(206)?;
                header
                    .insert_header("Content-Range", format!("bytes {start}-{end}/{}", file.len))?;
                header.insert_header("Content-Length", len.to_string())?;
                let body = self.body(&file.path, start, len, file.len, &etag).await?;
                Ok(Reply { header, body })
            }
            RangeRequest::Unsatisfiable => {
                header.set_status(416)?;
                header.insert_header("Content-Range", format!("bytes */{}", file.len))?;
                header.insert_header("Content-Length", "0")?;
                Ok(Reply {
                    header,
                    body: Body::Empty,
                })
            }
        }
    }

    /// The best coding the client accepts that we can produce: a precompressed sibling, or
    /// on-the-fly compression for moderately sized files.
    fn choose_coding(
        &self,
        file: &FileInfo,
        accept_encoding: Option<&str>,
    ) -> Option<(Coding, Option<(PathBuf, u64)>)> {
        encoding::accepted(accept_encoding)
            .into_iter()
            .find_map(|coding| {
                let sibling = file
                    .precompressed
                    .iter()
                    .find(|(c, _, _)| *c == coding)
                    .map(|(_, path, len)| (path.clone(), *len));
                match sibling {
                    Some(sibling) => Some((coding, Some(sibling))),
                    None if (COMPRESS_MIN..=COMPRESS_MAX).contains(&file.len) => {
                        Some((coding, None))
                    }
                    None => None,
                }
            })
    }

    /// A slice of a file: from memory for small files (read once), streamed for large ones.
    async fn body(
        &self,
        path: &Path,
        start: u64,
        len: u64,
        file_len: u64,
        etag: &str,
    ) -> pingora::Result<Body> {
        if file_len > CACHED_FILE_MAX {
            return Ok(Body::File {
                path: path.to_owned(),
                start,
                len,
            });
        }
        let key = (path.to_owned(), None);
        let cached = self.bodies.lock().expect("body cache").get(&key, etag);
        count(&self.body_cache, cached.is_some());
        let bytes = match cached {
            Some(bytes) => bytes,
            None => {
                let bytes = Bytes::from(tokio::fs::read(path).await.map_err(read_error)?);
                if bytes.len() as u64 != file_len {
                    // Replaced since it was looked up: the header already promised another
                    // length. Forget the lookups so the next request sees the new file.
                    self.lookups.lock().expect("lookup cache").clear();
                    return pingora::Error::e_explain(
                        pingora::ErrorType::FileReadError,
                        "static file changed while being served",
                    );
                }
                self.bodies
                    .lock()
                    .expect("body cache")
                    .put(key, etag, bytes.clone());
                bytes
            }
        };
        let end = usize::try_from(start + len)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let start = usize::try_from(start).unwrap_or(usize::MAX).min(end);
        Ok(Body::Bytes(bytes.slice(start..end)))
    }

    async fn compressed(
        &self,
        file: &FileInfo,
        coding: Coding,
        etag: &str,
    ) -> pingora::Result<Bytes> {
        let key = (file.path.clone(), Some(coding));
        let cached = self.bodies.lock().expect("body cache").get(&key, etag);
        if let Some(bytes) = cached {
            count(&self.body_cache, true);
            return Ok(bytes);
        }
        let _turn = self.compressing.lock().await;
        // Made while this request waited its turn: a hit all the same.
        let cached = self.bodies.lock().expect("body cache").get(&key, etag);
        count(&self.body_cache, cached.is_some());
        if let Some(bytes) = cached {
            return Ok(bytes);
        }
        let path = file.path.clone();
        let compressed = tokio::task::spawn_blocking(move || {
            let data = std::fs::read(&path)?;
            coding.compress(&data)
        })
        .await
        .map_err(|err| {
            pingora::Error::because(pingora::ErrorType::InternalError, "compression task", err)
        })?
        .map_err(read_error)?;
        let bytes = Bytes::from(compressed);
        self.bodies
            .lock()
            .expect("body cache")
            .put(key, etag, bytes.clone());
        Ok(bytes)
    }

    /// The file a request path names, if any; answers from the cache within [`LOOKUP_TTL`],
    /// and after it from the old entry while one request refreshes it (see `lookups`).
    async fn locate(
        &self,
        raw_path: &str,
        segments: Vec<String>,
    ) -> pingora::Result<Option<Arc<Located>>> {
        let cached = match self
            .lookups
            .lock()
            .expect("lookup cache")
            .get(raw_path, Instant::now())
        {
            Lookup::Use(found) => Some(found),
            Lookup::Resolve => None,
        };
        count(&self.path_cache, cached.is_some());
        if let Some(found) = cached {
            return Ok(found);
        }
        let root = self.root.clone();
        let found = tokio::task::spawn_blocking(move || disk::locate(&root, &segments))
            .await
            .ok()
            .flatten()
            .map(|file| Located::new(file, self.default_max_age).map(Arc::new))
            .transpose()?;
        if raw_path.len() <= LOOKUP_KEY_MAX {
            self.lookups.lock().expect("lookup cache").put(
                raw_path.to_owned(),
                found.clone(),
                Instant::now(),
            );
        }
        Ok(found)
    }
}

fn count(counters: &Option<CacheCounters>, hit: bool) {
    if let Some(counters) = counters {
        let counter = if hit { &counters.hit } else { &counters.miss };
        counter.inc();
    }
}

fn read_error(err: std::io::Error) -> Box<pingora::Error> {
    pingora::Error::because(
        pingora::ErrorType::FileReadError,
        "reading a static file",
        err,
    )
}
