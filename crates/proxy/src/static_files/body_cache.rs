//! The file bodies kept in memory: small files once read, and compressed variants once made.

use std::path::PathBuf;

use bytes::Bytes;
use lru::LruCache;

use super::encoding::Coding;

/// File contents (and compressed variants) by path, valid while their entity tag matches,
/// bounded by total size.
pub struct BodyCache {
    entries: LruCache<(PathBuf, Option<Coding>), (String, Bytes)>,
    bytes: usize,
    capacity: usize,
}

impl BodyCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: LruCache::unbounded(),
            bytes: 0,
            capacity,
        }
    }

    pub fn get(&mut self, key: &(PathBuf, Option<Coding>), etag: &str) -> Option<Bytes> {
        match self.entries.get(key) {
            Some((tag, bytes)) if tag == etag => Some(bytes.clone()),
            _ => None,
        }
    }

    pub fn put(&mut self, key: (PathBuf, Option<Coding>), etag: &str, bytes: Bytes) {
        if bytes.len() > self.capacity / 8 {
            return;
        }
        self.bytes += bytes.len();
        if let Some((_, old)) = self.entries.put(key, (etag.to_owned(), bytes)) {
            self.bytes -= old.len();
        }
        while self.bytes > self.capacity {
            match self.entries.pop_lru() {
                Some((_, (_, evicted))) => self.bytes -= evicted.len(),
                None => break,
            }
        }
    }
}
