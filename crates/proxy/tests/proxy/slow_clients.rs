//! Slow and greedy clients: header deadlines, header sizes, connection caps and idle timeouts,
//! with hundreds of connections at once and the proxy's memory measured from /proc.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinSet;

use test_support::servers::ProxyServer;

use crate::helpers::{allow_many_sockets, client, resident_kib, start_proxy, web};

/// How long any one connection in these tests may take to be answered or closed.
const PATIENCE: Duration = Duration::from_secs(60);

/// A connection to `proxy` from `local` (any 127.x address works on loopback).
async fn connect_from(local: &str, proxy: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::new(local.parse().unwrap(), 0))
        .unwrap();
    socket.connect(proxy).await.unwrap()
}

/// Everything the proxy sends on `stream` until it closes it (a reset after data counts as a
/// close), within [`PATIENCE`].
async fn read_until_closed(stream: &mut (impl AsyncReadExt + Unpin)) -> Vec<u8> {
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    let read_all = async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
        }
    };
    tokio::time::timeout(PATIENCE, read_all)
        .await
        .expect("the proxy closes the connection");
    received
}

fn status_line(response: &[u8]) -> String {
    String::from_utf8_lossy(response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_headers_are_cut_off_at_the_deadline_while_others_are_served() {
    const SLOW: usize = 1000;
    allow_many_sockets();
    let web = web();
    let proxy = start_proxy(
        web.path(),
        "127.0.0.1:9",
        &[
            ("PROXY_HEADER_TIMEOUT_SECS", "5"),
            ("PROXY_MAX_CONNECTIONS", "0"),
            ("PROXY_MAX_CONNECTIONS_PER_IP", "0"),
            ("RUST_LOG", "info,pingora_proxy=off"),
        ],
    );
    let client = client();
    assert_eq!(
        client.get(proxy.url("/")).send().await.unwrap().status(),
        StatusCode::OK
    );
    let (before, _) = resident_kib(proxy.process.pid());

    // Each sends 2 KiB of a header and then a byte a second, for ever.
    let mut slow = JoinSet::new();
    for _ in 0..SLOW {
        let mut stream = TcpStream::connect(proxy.address).await.unwrap();
        slow.spawn(async move {
            let start = format!("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: {}", "a".repeat(2048));
            stream.write_all(start.as_bytes()).await.unwrap();
            let (mut reader, mut writer) = stream.into_split();
            let trickle = tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    if writer.write_all(b"a").await.is_err() {
                        break;
                    }
                }
            });
            let response = read_until_closed(&mut reader).await;
            trickle.abort();
            response
        });
    }
    let meanwhile = client.get(proxy.url("/")).send().await.unwrap();
    assert_eq!(
        meanwhile.status(),
        StatusCode::OK,
        "served during the attack"
    );

    let mut answers = Vec::new();
    while let Some(response) = slow.join_next().await {
        answers.push(status_line(&response.unwrap()));
    }
    let timed_out = answers
        .iter()
        .filter(|line| line.starts_with("HTTP/1.1 408"))
        .count();
    assert_eq!(
        timed_out,
        SLOW,
        "every slow header is answered 408 and closed: {:?}",
        answers
            .iter()
            .find(|line| !line.starts_with("HTTP/1.1 408"))
    );
    let (after, peak) = resident_kib(proxy.process.pid());
    let growth_mib = peak.saturating_sub(before) / 1024;
    eprintln!(
        "proxy RSS: {before} KiB before, {peak} KiB at the peak, {after} KiB after {SLOW} slow headers"
    );
    assert!(
        growth_mib < 64,
        "{SLOW} slow headers took {growth_mib} MiB (before {before} KiB, peak {peak} KiB)"
    );
    assert_eq!(
        client.get(proxy.url("/")).send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn oversized_headers_get_a_431_without_being_buffered() {
    const GREEDY: usize = 200;
    const HEADER: usize = 1024 * 1024;
    allow_many_sockets();
    let web = web();
    let proxy = start_proxy(
        web.path(),
        "127.0.0.1:9",
        &[
            ("PROXY_MAX_CONNECTIONS_PER_IP", "0"),
            ("RUST_LOG", "info,pingora_proxy=off"),
        ],
    );
    let (before, _) = resident_kib(proxy.process.pid());

    // Each tries to send a 1 MiB header; the proxy stops reading at its 32 KiB limit.
    let mut greedy = JoinSet::new();
    for _ in 0..GREEDY {
        let stream = TcpStream::connect(proxy.address).await.unwrap();
        greedy.spawn(async move {
            let (mut reader, mut writer) = stream.into_split();
            let send = tokio::spawn(async move {
                let _ = writer
                    .write_all(b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: ")
                    .await;
                let chunk = vec![b'a'; 16 * 1024];
                let mut sent = 0;
                while sent < HEADER && writer.write_all(&chunk).await.is_ok() {
                    sent += chunk.len();
                }
                sent
            });
            let response = read_until_closed(&mut reader).await;
            (response, send.await.unwrap())
        });
    }
    while let Some(outcome) = greedy.join_next().await {
        let (response, sent) = outcome.unwrap();
        assert!(
            status_line(&response).starts_with("HTTP/1.1 431"),
            "{:?} after sending {sent} bytes",
            status_line(&response)
        );
    }
    let (_, peak) = resident_kib(proxy.process.pid());
    let growth_mib = peak.saturating_sub(before) / 1024;
    eprintln!("proxy RSS: {before} KiB before, {peak} KiB at the peak of {GREEDY} 1 MiB headers");
    assert!(
        growth_mib < 32,
        "{GREEDY} oversized headers took {growth_mib} MiB: buffered, not refused"
    );

    let small = client().get(proxy.url("/")).send().await.unwrap();
    assert_eq!(small.status(), StatusCode::OK);
}

/// A GET of `/` from `local`, on a connection of its own.
async fn get_from(local: &str, proxy: &ProxyServer) -> reqwest::Result<StatusCode> {
    let client = reqwest::Client::builder()
        .local_address(local.parse::<IpAddr>().unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    client.get(proxy.url("/")).send().await.map(|r| r.status())
}

/// Waits until a GET from `local` is served (a closed connection is released once the
/// proxy has seen it close).
async fn served_eventually(local: &str, proxy: &ProxyServer) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        match get_from(local, proxy).await {
            Ok(StatusCode::OK) => return,
            outcome => assert!(
                tokio::time::Instant::now() < deadline,
                "{local} is never served again: {outcome:?}\n{}",
                proxy.process.log()
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A kept-alive connection from `local` that the proxy has answered once, so it is surely
/// counted; tried again while the proxy still counts a connection that just closed.
async fn held_from(local: &str, proxy: &ProxyServer) -> TcpStream {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let mut stream = connect_from(local, proxy.address).await;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        let mut answer = [0u8; 512];
        if let Ok(n @ 1..) = stream.read(&mut answer).await {
            assert!(answer[..n].starts_with(b"HTTP/1.1 200"));
            return stream;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{local} never got a connection"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn connections_past_an_addresss_share_are_closed_while_others_are_served() {
    let web = web();
    let proxy = start_proxy(
        web.path(),
        "127.0.0.1:9",
        &[
            ("PROXY_MAX_CONNECTIONS", "0"),
            ("PROXY_MAX_CONNECTIONS_PER_IP", "3"),
            ("PROXY_KEEPALIVE_SECS", "120"),
        ],
    );
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(held_from("127.0.0.5", &proxy).await);
    }
    let mut fourth = connect_from("127.0.0.5", proxy.address).await;
    let refused = read_until_closed(&mut fourth).await;
    assert!(refused.is_empty(), "closed without an answer: {refused:?}");
    assert!(get_from("127.0.0.5", &proxy).await.is_err());
    assert_eq!(get_from("127.0.0.6", &proxy).await.unwrap(), StatusCode::OK);
    assert!(proxy.process.logged("refused"), "{}", proxy.process.log());

    held.pop();
    served_eventually("127.0.0.5", &proxy).await;
}

#[tokio::test]
async fn connections_past_the_total_are_closed_whoever_opens_them() {
    let web = web();
    let proxy = start_proxy(
        web.path(),
        "127.0.0.1:9",
        &[
            ("PROXY_MAX_CONNECTIONS", "2"),
            ("PROXY_MAX_CONNECTIONS_PER_IP", "0"),
            ("PROXY_KEEPALIVE_SECS", "120"),
        ],
    );
    let first = held_from("127.0.0.1", &proxy).await;
    let _second = held_from("127.0.0.2", &proxy).await;
    let mut third = connect_from("127.0.0.3", proxy.address).await;
    assert!(read_until_closed(&mut third).await.is_empty());
    assert!(get_from("127.0.0.4", &proxy).await.is_err());

    drop(first);
    served_eventually("127.0.0.4", &proxy).await;
}

#[tokio::test]
async fn idle_and_silent_connections_are_closed() {
    let web = web();
    let proxy = start_proxy(
        web.path(),
        "127.0.0.1:9",
        &[
            ("PROXY_KEEPALIVE_SECS", "1"),
            ("PROXY_HEADER_TIMEOUT_SECS", "1"),
        ],
    );
    // A kept-alive connection, idle after its request, is closed after the keep-alive.
    let mut kept = TcpStream::connect(proxy.address).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let response = String::from_utf8(read_until_closed(&mut kept).await).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("connection: keep-alive"),
        "{response}"
    );

    // A connection that never sends a byte is closed quietly.
    let mut silent = TcpStream::connect(proxy.address).await.unwrap();
    assert!(read_until_closed(&mut silent).await.is_empty());

    // One that stops in the middle of its header gets a 408.
    let mut stalled = TcpStream::connect(proxy.address).await.unwrap();
    stalled
        .write_all(b"GET / HTTP/1.1\r\nHost: t\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stalled).await;
    assert!(
        status_line(&answer).starts_with("HTTP/1.1 408"),
        "{:?}",
        status_line(&answer)
    );
}
