//! The listen addresses, before pingora binds them: port 0 is picked here, so the log and what
//! derives from it carry the real port, and every address is bound once, so a taken one is a
//! clear start-up error rather than a worker that fails and keeps running.

use std::net::SocketAddr;

use tokio::net::TcpSocket;

use super::error::StartupError;
use crate::cli::Options;
use crate::config::ProxyConfig;

/// Port 0 asks for any free port. The proxy picks it here rather than leaving it to pingora, so
/// what derives from it (the HTTPS redirect port) and the start-up log carry the real port. The
/// socket that picked it stays bound, never listening, while the proxy runs: the kernel gives
/// the port to no one else asking for any port, and pingora's listeners, which set SO_REUSEADDR
/// as this socket does, bind beside it.
pub fn reserve_any_ports(options: &mut Options) -> Result<Vec<TcpSocket>, StartupError> {
    let mut reserved = Vec::new();
    let addresses = [
        ("PROXY_LISTEN", Some(&mut options.listeners.listen)),
        ("PROXY_TLS_LISTEN", options.tls.tls_listen.as_mut()),
        (
            "PROXY_METRICS_LISTEN",
            options.listeners.metrics_listen.as_mut(),
        ),
    ];
    for (setting, address) in addresses {
        // Anything but an ip:port with port 0 is the configuration's to accept or refuse.
        let Some(requested) = address
            .as_ref()
            .and_then(|address| address.trim().parse::<SocketAddr>().ok())
            .filter(|requested| requested.port() == 0)
        else {
            continue;
        };
        let socket = if requested.is_ipv4() {
            TcpSocket::new_v4()
        } else {
            TcpSocket::new_v6()
        };
        let (socket, bound) = socket
            .and_then(|socket| {
                socket.set_reuseaddr(true)?;
                socket.bind(requested)?;
                let bound = socket.local_addr()?;
                Ok((socket, bound))
            })
            .map_err(|source| StartupError::Listen {
                setting,
                address: requested,
                source,
            })?;
        if let Some(address) = address {
            *address = bound.to_string();
        }
        reserved.push(socket);
    }
    Ok(reserved)
}

/// Binds each listen address once before pingora does: a port already in use is then a clear
/// start-up error and exit status, where pingora would fail inside a worker and keep running.
pub fn check_listen_addresses(config: &ProxyConfig) -> Result<(), StartupError> {
    let addresses = std::iter::once(("PROXY_LISTEN", config.listen))
        .chain(
            config
                .tls
                .as_ref()
                .map(|tls| ("PROXY_TLS_LISTEN", tls.listen)),
        )
        .chain(
            config
                .metrics_listen
                .map(|address| ("PROXY_METRICS_LISTEN", address)),
        );
    for (setting, address) in addresses {
        std::net::TcpListener::bind(address).map_err(|source| StartupError::Listen {
            setting,
            address,
            source,
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn options(args: &[&str]) -> Options {
        let base = ["proxy", "--static-dir", env!("CARGO_MANIFEST_DIR")];
        Options::try_parse_from(base.iter().chain(args)).expect("valid flags")
    }

    #[test]
    fn port_0_is_picked_before_the_configuration_reads_it() {
        let mut options = options(&["--listen", "127.0.0.1:0"]);
        let reserved = reserve_any_ports(&mut options).unwrap();
        assert_eq!(reserved.len(), 1);
        let picked: SocketAddr = options.listeners.listen.parse().unwrap();
        assert_ne!(picked.port(), 0);
        assert_eq!(picked, reserved[0].local_addr().unwrap());
    }

    #[test]
    fn a_taken_address_names_its_setting() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = taken.local_addr().unwrap();
        let mut options = options(&[
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            &address.to_string(),
        ]);
        let _reserved = reserve_any_ports(&mut options).unwrap();
        let config = ProxyConfig::from_options(&options).unwrap();
        let err = check_listen_addresses(&config).unwrap_err();
        let StartupError::Listen {
            setting,
            address: refused,
            source,
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!((*setting, *refused), ("PROXY_METRICS_LISTEN", address));
        assert_eq!(source.kind(), std::io::ErrorKind::AddrInUse);
        assert_eq!(err.exit_code(), 1);
    }
}
