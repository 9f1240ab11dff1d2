//! One request's identity across both services: its `X-Request-Id`, and the context that every
//! log line written while it is being served carries.

use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

/// The header that carries a request's id from the proxy to the api and back to the client.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Longest id accepted from a client or a proxy in front.
const MAX_LEN: usize = 128;

/// A request's id: 1 to 128 letters, digits and `-_.:+=/`, so that it can be logged, echoed
/// and put in a header as it is (no spaces, quotes or control characters to forge log lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// The id a header value gives, when it is well formed; `None` for anything else.
    pub fn parse(raw: &[u8]) -> Option<Self> {
        let well_formed = !raw.is_empty()
            && raw.len() <= MAX_LEN
            && raw
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:+=/".contains(b));
        // Only ASCII passed, so this is valid UTF-8.
        well_formed.then(|| Self(String::from_utf8_lossy(raw).into_owned()))
    }

    /// A new random id: a version-4 UUID as 32 lower-case hex digits.
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What identifies the request being served: every log line written while it is in scope
/// carries these fields (see [`crate::logging`]).
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub id: RequestId,
    pub method: String,
    pub path: String,
    pub client_ip: Option<IpAddr>,
}

tokio::task_local! {
    static CURRENT: Arc<RequestContext>;
}

impl RequestContext {
    /// Runs `work` with this context in scope, on every poll wherever the executor runs it.
    pub async fn scope<F: Future>(self: Arc<Self>, work: F) -> F::Output {
        CURRENT.scope(self, work).await
    }

    /// Runs blocking `work` (on a thread of its own) with this context in scope.
    pub fn sync_scope<R>(self: Arc<Self>, work: impl FnOnce() -> R) -> R {
        CURRENT.sync_scope(self, work)
    }

    /// The context of the request being served here, if any.
    pub fn current() -> Option<Arc<Self>> {
        CURRENT.try_with(Arc::clone).ok()
    }

    /// `read` applied to the current context, without cloning it (the log formatter's way).
    pub fn with_current<R>(read: impl FnOnce(&Self) -> R) -> Option<R> {
        CURRENT.try_with(|context| read(context)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_and_plain() {
        for good in ["a", "0f3c-9a:b.c_d", "Root=1-67891233-abcdef", "x/y+z="] {
            assert_eq!(
                RequestId::parse(good.as_bytes()).map(|id| id.0),
                Some(good.to_owned())
            );
        }
        let long = "a".repeat(MAX_LEN + 1);
        for bad in ["", "a b", "a\"b", "a\nb", "é", long.as_str()] {
            assert_eq!(RequestId::parse(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn generated_ids_are_well_formed_and_distinct() {
        let (a, b) = (RequestId::generate(), RequestId::generate());
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 32);
        assert_eq!(RequestId::parse(a.as_str().as_bytes()), Some(a));
    }

    #[tokio::test]
    async fn the_context_is_current_inside_its_scope_only() {
        let context = Arc::new(RequestContext {
            id: RequestId::generate(),
            method: "GET".into(),
            path: "/api/health".into(),
            client_ip: None,
        });
        let id = context.id.clone();
        assert!(RequestContext::current().is_none());
        let inside = context
            .clone()
            .scope(async { RequestContext::current().map(|c| c.id.clone()) })
            .await;
        assert_eq!(inside, Some(id.clone()));
        let blocking = context.sync_scope(|| RequestContext::with_current(|c| c.id.clone()));
        assert_eq!(blocking, Some(id));
        assert!(RequestContext::current().is_none());
    }
}
