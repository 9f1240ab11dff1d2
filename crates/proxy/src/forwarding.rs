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

/// The forwarding headers, set here unless a trusted proxy sent them.
const FORWARDING: &[&str] = &[
    "forwarded",
    "x-forwarded-for",
    "x-real-ip",
    "x-forwarded-proto",
    "x-forwarded-host",
];

pub fn rewrite(upstream_request: &mut RequestHeader, origin: &Origin) -> pingora::Result<()> {
    let trusted = origin.client.is_some_and(|client| client.peer_trusted);
    // pingora already drops `Connection` and the headers it names; these are the other
    // hop-by-hop headers, and the forwarding headers of a peer nobody trusts. One pass over
    // the request's own names finds them (usually none): removing each by name would parse and
    // hash all twelve names on every request, a seventh of the forwarding path's instructions.
    let dropped: Vec<_> = upstream_request
        .headers
        .keys()
        .filter(|name| {
            let name = name.as_str();
            HOP_BY_HOP.contains(&name) || (!trusted && FORWARDING.contains(&name))
        })
        .cloned()
        .collect();
    for name in &dropped {
        upstream_request.remove_header(name);
    }

    if let Some(client) = origin.client {
        // A trusted proxy's chain, then that proxy; anyone else's chain starts here.
        let peer = client.peer.to_string();
        let mut chain = String::new();
        for hop in crate::client_ip::forwarded_for(upstream_request) {
            chain.push_str(hop);
            chain.push_str(", ");
        }
        chain.push_str(&peer);
        // Formatted once when it is the same address (anyone but a trusted proxy).
        let real_ip = if client.ip == client.peer {
            peer
        } else {
            client.ip.to_string()
        };
        upstream_request.insert_header("X-Forwarded-For", chain)?;
        upstream_request.insert_header("X-Real-IP", real_ip)?;
    }
    // An untrusted peer's were just dropped; only a trusted proxy's can still be there.
    let kept = |request: &RequestHeader, name: &str| trusted && request.headers.contains_key(name);
    if !kept(upstream_request, "x-forwarded-proto") {
        upstream_request.insert_header(
            "X-Forwarded-Proto",
            if origin.https { "https" } else { "http" },
        )?;
    }
    if !kept(upstream_request, "x-forwarded-host") {
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
