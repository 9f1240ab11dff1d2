//! The request headers an upstream gets: hop-by-hop headers dropped, and the forwarding
//! headers (`X-Forwarded-For`/`-Proto`/`-Host`) set by the proxy rather than the client,
//! unless the client is a trusted load balancer.

use pingora::http::RequestHeader;

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
    /// The client's IP address, if it connected over IP.
    pub client_ip: Option<String>,
    /// Whether it arrived on the HTTPS listener.
    pub https: bool,
    /// Keep the client's `X-Forwarded-Proto`/`-Host`, `Forwarded` and `X-Real-IP`.
    pub trust_forwarded: bool,
}

pub fn rewrite(upstream_request: &mut RequestHeader, origin: &Origin) -> pingora::Result<()> {
    // pingora already drops `Connection` and the headers it names; these are the other
    // hop-by-hop headers, and the client-supplied forwarding headers we do not vouch for.
    for name in HOP_BY_HOP {
        upstream_request.remove_header(*name);
    }
    if !origin.trust_forwarded {
        upstream_request.remove_header("forwarded");
        upstream_request.remove_header("x-real-ip");
    }

    if let Some(ip) = &origin.client_ip {
        // Every X-Forwarded-For line the client sent, in order, then the client itself.
        let mut chain: Vec<&str> = upstream_request
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        chain.push(ip);
        let forwarded_for = chain.join(", ");
        upstream_request.insert_header("X-Forwarded-For", forwarded_for)?;
    }
    let trusted = |request: &RequestHeader, name: &str| {
        origin.trust_forwarded && request.headers.contains_key(name)
    };
    if !trusted(upstream_request, "x-forwarded-proto") {
        upstream_request.insert_header(
            "X-Forwarded-Proto",
            if origin.https { "https" } else { "http" },
        )?;
    }
    if !trusted(upstream_request, "x-forwarded-host") {
        let host = upstream_request.headers.get("host").cloned().or_else(|| {
            upstream_request
                .uri
                .authority()
                .and_then(|a| a.as_str().parse().ok())
        });
        match host {
            Some(host) => upstream_request.insert_header("X-Forwarded-Host", host)?,
            None => {
                upstream_request.remove_header("x-forwarded-host");
            }
        }
    }
    Ok(())
}
