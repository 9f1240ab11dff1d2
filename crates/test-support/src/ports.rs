//! Ports for programs that must be told their port before they start: PostgreSQL, Pebble, or a
//! proxy restarted on the port another program checks it on. The workspace's own servers bind
//! port 0 and report the port they got instead (see [`crate::servers`]).
//!
//! Picking a free port by binding a listener and dropping it leaves a window in which anything
//! else asking for "any port" may get it. A [`ReservedPort`] closes that window: it keeps a
//! socket bound to the port with `SO_REUSEADDR`, never listening. While a socket holds the
//! port the kernel gives it to no one asking for any port, and the program can still bind it:
//! a socket that does not listen does not stand in the way of another `SO_REUSEADDR` bind,
//! which PostgreSQL, Go servers such as Pebble, Rust's `std` listeners and pingora all make.
//! Connecting to a reserved port is refused until its program listens.

use std::net::{Ipv4Addr, SocketAddr};

use socket2::{Domain, Protocol, Socket, Type};

/// A TCP port on 127.0.0.1, held until dropped.
pub struct ReservedPort {
    port: u16,
    _socket: Socket,
}

impl ReservedPort {
    pub fn new() -> Self {
        let socket =
            Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).expect("create a socket");
        socket.set_reuse_address(true).expect("set SO_REUSEADDR");
        socket
            .bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())
            .expect("bind 127.0.0.1:0");
        let port = socket
            .local_addr()
            .ok()
            .and_then(|address| address.as_socket())
            .expect("a bound address")
            .port();
        Self {
            port,
            _socket: socket,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Default for ReservedPort {
    fn default() -> Self {
        Self::new()
    }
}
