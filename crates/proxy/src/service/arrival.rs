//! What is settled as a request arrives, before any step looks at it: who it is from, its id,
//! and the client connection's timeouts and keep-alive.

use pingora::http::RequestHeader;
use pingora::proxy::Session;
use shared::request::{RequestId, REQUEST_ID_HEADER};

use super::state::{ProxyService, RequestCtx};
use crate::client_ip;

impl ProxyService {
    /// `early_request_filter`.
    pub(super) fn arrive(&self, session: &mut Session, ctx: &mut RequestCtx) {
        let peer = session
            .client_addr()
            .and_then(|addr| addr.as_inet())
            .map(|addr| addr.ip());
        ctx.client = peer.map(|peer| {
            client_ip::client_of(&self.config.trusted_proxies, peer, session.req_header())
        });
        let from_trusted = ctx.client.is_some_and(|client| client.peer_trusted);
        ctx.request_id = Some(request_id(session.req_header(), from_trusted));
        let connections = &self.config.connections;
        let downstream = session.as_downstream_mut();
        downstream.set_read_timeout(Some(connections.client_timeout));
        downstream.set_write_timeout(Some(connections.client_timeout));
        // Off is None: pingora reads Some(0) as "forever", which would also lift the read
        // timeout on idle connections. (A client that does not allow keep-alive, with
        // `Connection: close` or HTTP/1.0 without `keep-alive`, keeps it off.)
        downstream.set_keepalive(connections.keepalive.map(|keepalive| keepalive.as_secs()));
        // Requests a client sends before its previous answer arrives are answered in order
        // (RFC 9112 section 9.3.2), not dropped with the connection.
        downstream.set_pipelining_enabled(true);
    }
}

/// The request's id: the client's when well formed and sent by a trusted proxy, else a new one.
fn request_id(req: &RequestHeader, from_trusted: bool) -> RequestId {
    from_trusted
        .then(|| req.headers.get(REQUEST_ID_HEADER))
        .flatten()
        .and_then(|value| RequestId::parse(value.as_bytes()))
        .unwrap_or_else(RequestId::generate)
}
