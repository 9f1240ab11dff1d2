//! The request headers an upstream gets: hop-by-hop headers dropped, and the forwarding
//! headers (`X-Forwarded-For`/`-Proto`/`-Host`, `X-Real-IP`, `Forwarded`) set by the proxy from
//! the connection, unless the peer is a trusted proxy ([`crate::client_ip`]), whose own are
//! passed on.

use pingora::http::RequestHeader;

use crate::client_ip::Client;

/// Headers that describe one hop's connection and must not be forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP: &[&str] = &[
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "upgrade",
];

/// Where the request came from, as the forwarding headers describe it.
pub struct Origin {
    /// Who sent it, when it came over IP.
    pub client: Option<Client>,
    /// Whether it arrived on the HTTPS listener.
    pub https: bool,
}

pub fn rewrite(upstream_request: &mut RequestHeader, origin: &Origin) -> pingora::Result<()> {
    // pingora already drops `Connection` and the headers it names; these are the other
    // hop-by-hop headers.
    for name in HOP_BY_HOP {
        upstream_request.remove_header(*name);
    }
    let trusted = origin.client.is_some_and(|client| client.peer_trusted);
    if !trusted {
        for name in [
            "forwarded",
            "x-forwarded-for",
            "x-real-ip",
            "x-forwarded-proto",
            "x-forwarded-host",
        ] {
            upstream_request.remove_header(name);
        }
    }

    if let Some(client) = origin.client {
        // A trusted proxy's chain, then that proxy; anyone else's chain starts here.
        let mut chain: Vec<String> = crate::client_ip::forwarded_for(upstream_request)
            .map(str::to_owned)
            .collect();
        chain.push(client.peer.to_string());
        upstream_request.insert_header("X-Forwarded-For", chain.join(", "))?;
        upstream_request.insert_header("X-Real-IP", client.ip.to_string())?;
    }
    if !upstream_request.headers.contains_key("x-forwarded-proto") {
        upstream_request.insert_header(
            "X-Forwarded-Proto",
            if origin.https { "https" } else { "http" },
        )?;
    }
    if !upstream_request.headers.contains_key("x-forwarded-host") {
        let host = upstream_request.headers.get("host").cloned().or_else(|| {
            upstream_request
                .uri
                .authority()
                .and_then(|a| a.as_str().parse().ok())
        });
        if let Some(host) = host {
            upstream_request.insert_header("X-Forwarded-Host", host)?;
        }
    }
    Ok(())
}
