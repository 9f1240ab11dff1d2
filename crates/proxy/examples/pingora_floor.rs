//! pingora with nothing of ours in it: the floor under the proxy's numbers in `scripts/bench`.
//!
//! One listener answers every request with the same file from memory, its response header
//! built once and cloned per reply; the other forwards every request to one upstream over
//! pingora's kept-alive connections. Same pingora, runtime layout and allocator as the proxy,
//! but no routing, static lookup, rate limits, forwarding headers, request ids, metrics or
//! logging. What NGINX does faster than this is pingora's own cost per request, which no code
//! in `crates/proxy` can win back.
//!
//! ```text
//! pingora_floor STATIC_LISTEN FILE FORWARD_LISTEN UPSTREAM
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;

use async_trait::async_trait;
use bytes::Bytes;
use pingora::http::ResponseHeader;
use pingora::proxy::{http_proxy_service, ProxyHttp, Session};
use pingora::server::configuration::ServerConf;
use pingora::server::Server;
use pingora::upstreams::peer::HttpPeer;
use pingora::{Error, ErrorType, Result};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
shared::lean_allocator!();

/// Every request gets `body`, with `header`.
struct FromMemory {
    header: ResponseHeader,
    body: Bytes,
}

#[async_trait]
impl ProxyHttp for FromMemory {
    type CTX = ();

    fn new_ctx(&self) {}

    async fn request_filter(&self, session: &mut Session, _ctx: &mut ()) -> Result<bool> {
        session
            .write_response_header(Box::new(self.header.clone()), false)
            .await?;
        session
            .write_response_body(Some(self.body.clone()), true)
            .await?;
        Ok(true)
    }

    async fn upstream_peer(&self, _session: &mut Session, _ctx: &mut ()) -> Result<Box<HttpPeer>> {
        Error::e_explain(ErrorType::InternalError, "answered from memory")
    }
}

/// Every request goes to `upstream`.
struct Forward {
    upstream: SocketAddr,
}

#[async_trait]
impl ProxyHttp for Forward {
    type CTX = ();

    fn new_ctx(&self) {}

    async fn upstream_peer(&self, _session: &mut Session, _ctx: &mut ()) -> Result<Box<HttpPeer>> {
        Ok(Box::new(HttpPeer::new(self.upstream, false, String::new())))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [static_listen, file, forward_listen, upstream] = args.as_slice() else {
        eprintln!("usage: pingora_floor STATIC_LISTEN FILE FORWARD_LISTEN UPSTREAM");
        return ExitCode::from(2);
    };
    let (body, upstream) = match (std::fs::read(file), upstream.parse()) {
        (Ok(body), Ok(upstream)) => (Bytes::from(body), upstream),
        (Err(err), _) => {
            eprintln!("pingora_floor: {file}: {err}");
            return ExitCode::FAILURE;
        }
        (_, Err(err)) => {
            eprintln!("pingora_floor: {upstream}: {err}");
            return ExitCode::from(2);
        }
    };
    let mut header = ResponseHeader::build(200, Some(4)).expect("a 200 header");
    for (name, value) in [
        ("Content-Type", "text/html; charset=utf-8".to_owned()),
        ("Content-Length", body.len().to_string()),
        ("Cache-Control", "no-cache".to_owned()),
        ("ETag", format!("\"{:x}\"", body.len())),
    ] {
        header.insert_header(name, value).expect("a valid header");
    }

    // The proxy's own layout: one worker thread per core, the same upstream pool size; and
    // gone at once when told to stop (pingora's default grace period is five minutes).
    let conf = ServerConf {
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        upstream_keepalive_pool_size: 256,
        grace_period_seconds: Some(0),
        graceful_shutdown_timeout_seconds: Some(1),
        ..ServerConf::default()
    };
    let mut server = Server::new_with_opt_and_conf(None, conf);
    server.bootstrap();
    let mut from_memory = http_proxy_service(&server.configuration, FromMemory { header, body });
    from_memory.add_tcp(static_listen);
    let mut forward = http_proxy_service(&server.configuration, Forward { upstream });
    forward.add_tcp(forward_listen);
    server.add_service(from_memory);
    server.add_service(forward);
    server.run_forever()
}
