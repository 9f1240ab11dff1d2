//! `fail_to_proxy`: a request that failed on the way, here or upstream, gets its status and
//! reply (`crate::failure` says which), and a server-side failure is logged with the
//! upstreams it tried.

use pingora::proxy::{FailToProxy, Session};
use pingora::Error;
use shared::request::RequestId;

use super::state::{ProxyService, RequestCtx};
use crate::failure;

impl ProxyService {
    pub(super) async fn reply_to_failure(
        &self,
        session: &mut Session,
        e: &Error,
        ctx: &RequestCtx,
    ) -> FailToProxy {
        let code = failure::status(e);
        if code >= 500 {
            log::error!(
                request_id = ctx.request_id.as_ref().map_or("-", RequestId::as_str);
                "{} {} failed with {code} (upstreams tried: {:?}): {e}",
                session.req_header().method,
                session.req_header().uri.path(),
                ctx.tried
            );
        }
        if code > 0 && session.as_downstream().response_written().is_none() {
            // The connection is not reused after a failure: say so, so clients do not send the
            // next request down a closing connection.
            session.as_downstream_mut().set_keepalive(None);
            let id = ctx.request_id.as_ref();
            let sent = match failure::reply(code, ctx.route, id) {
                Ok(reply) => self.replies.send(session, reply, id).await,
                Err(err) => Err(err),
            };
            if let Err(err) = sent {
                log::debug!("could not send the error response: {err}");
            }
        }
        FailToProxy {
            error_code: code,
            can_reuse_downstream: false,
        }
    }
}
