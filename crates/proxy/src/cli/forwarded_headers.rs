//! The "Forwarded headers" settings: whose X-Forwarded-* and related headers are believed.

use clap::Args;

#[derive(Debug, Args)]
#[command(next_help_heading = "Forwarded headers")]
pub struct ForwardedHeaderOptions {
    /// Comma-separated addresses or networks (CIDR, e.g. the load balancer's subnets) of the
    /// proxies in front of this one. Only their X-Forwarded-For, X-Real-IP, Forwarded,
    /// X-Forwarded-Proto/-Host and X-Request-Id are passed on, and the client is the
    /// right-most X-Forwarded-For address that is not one of them; everyone else's are
    /// replaced.
    #[arg(long, env = "PROXY_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,

    /// Trust every peer's forwarded headers, one hop deep: the client is the last
    /// X-Forwarded-For address. Only where nothing but the load balancer can connect;
    /// PROXY_TRUSTED_PROXIES is the precise form.
    #[arg(long, env = "PROXY_TRUST_FORWARDED", default_value_t = false)]
    pub trust_forwarded: bool,
}
