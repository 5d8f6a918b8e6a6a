//! Every connection has a deadline and every client address a cap: sockets
//! that never authenticate, clients that go silent, slowloris headers and
//! one address opening connection after connection are all cut off, while
//! clients that behave are not. Durations are short here (the defaults are
//! seconds: docs/security.md).

use std::time::Duration;

use protocol::{ClientFrame, CloseCode, ServerFrame};
use tandem_server::Config;
use tandem_tests::raw::RawSocket;
use tandem_tests::{Client, SHOP_ORIGIN, SITE, TestServer, WAIT};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

fn visitor_path() -> String {
    format!("/ws/visitor?site={SITE}")
}

#[tokio::test]
async fn a_socket_that_never_says_hello_is_closed_at_the_deadline() {
    let hello = Duration::from_millis(300);
    let server = TestServer::start_with(|c| c.connections.hello_timeout = hello).await;
    let url = format!("{}{}", server.running.ws_url(), visitor_path());
    let opened = Instant::now();
    let mut v = Client::connect(&url, Some(SHOP_ORIGIN)).await.unwrap();
    assert_eq!(v.expect_close().await, Some(CloseCode::HelloTimeout.code()));
    assert!(opened.elapsed() >= hello, "closed before the deadline");

    // One that says hello in time stays past the deadline.
    let (mut ok, _, _) = server.visitor(None).await;
    ok.expect_silence(3 * hello.as_millis() as u64).await;
    ok.send(ClientFrame::HelpRequest {
        client_id: None,
        topic: None,
        message: "still here".into(),
        page: None,
    })
    .await;
    ok.expect(|f| matches!(f, ServerFrame::Session { .. }))
        .await;
}

fn quick_pings(c: &mut Config) {
    c.connections.ping_interval = Duration::from_millis(200);
    c.connections.idle_timeout = Duration::from_millis(1_000);
}

#[tokio::test]
async fn a_silent_socket_that_never_answers_pings_is_closed_while_a_live_one_stays() {
    let server = TestServer::start_with(quick_pings).await;
    // Says hello, then answers nothing: no frame, no pong.
    let mut silent = RawSocket::upgrade(
        server.running.addr,
        &visitor_path(),
        &[("Origin", SHOP_ORIGIN)],
    )
    .await
    .unwrap();
    // Before the hello: the server hears nothing from it after the hello.
    let opened = Instant::now();
    silent.send_text(r#"{"v":1,"type":"hello"}"#).await.unwrap();
    assert!(silent.recv_text().await.unwrap().contains("welcome"));
    // A client whose library answers pings, reading all along.
    let (mut live, _, _) = server.visitor(None).await;

    let (ended, ()) = tokio::join!(
        silent.until_closed(WAIT),
        live.expect_none(3_000, |_| false)
    );
    let ended = ended.expect("the silent socket is closed within WAIT");
    assert_eq!(ended.code, Some(CloseCode::Idle.code()), "{ended:?}");
    assert!(ended.pings >= 1, "the server pinged before giving up");
    assert!(opened.elapsed() >= Duration::from_millis(1_000));

    // The live one outlasted the idle timeout several times over.
    live.send(ClientFrame::HelpRequest {
        client_id: None,
        topic: None,
        message: "still here".into(),
        page: None,
    })
    .await;
    live.expect(|f| matches!(f, ServerFrame::Session { .. }))
        .await;
}

#[tokio::test]
async fn slowloris_headers_sent_a_byte_at_a_time_are_cut_off() {
    let timeout = Duration::from_millis(600);
    let server = TestServer::start_with(|c| c.connections.header_timeout = timeout).await;
    // Before connecting: the server's clock starts when it accepts.
    let started = Instant::now();
    let tcp = TcpStream::connect(server.running.addr).await.unwrap();
    let (mut read, mut write) = tcp.into_split();
    // One header byte every 100 ms: the whole request would take a minute.
    let trickle = tokio::spawn(async move {
        let header = format!(
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: {}",
            "a".repeat(600)
        );
        for byte in header.bytes() {
            if write.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(WAIT, read.read_to_end(&mut answer)).await;
    trickle.abort();
    assert!(
        closed.is_ok(),
        "the connection was still open after {WAIT:?}"
    );
    assert!(started.elapsed() >= timeout);
    // Whatever hyper answered (a 408 or nothing), it is not a served request.
    assert!(!String::from_utf8_lossy(&answer).contains("200 OK"));

    // A connection that sends nothing at all is closed too.
    let mut idle = TcpStream::connect(server.running.addr).await.unwrap();
    let mut buf = Vec::new();
    let closed = tokio::time::timeout(WAIT, idle.read_to_end(&mut buf)).await;
    assert!(
        closed.is_ok(),
        "a silent connection was still open after {WAIT:?}"
    );

    // Prompt requests are served.
    let res = reqwest::get(server.http("/healthz")).await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_request_body_sent_a_byte_at_a_time_is_cut_off() {
    let timeout = Duration::from_millis(600);
    let server = TestServer::start_with(|c| c.connections.request_timeout = timeout).await;
    let mut tcp = TcpStream::connect(server.running.addr).await.unwrap();
    // Prompt headers, then a 2,000-byte body one byte every 100 ms.
    let head = "POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n";
    tcp.write_all(head.as_bytes()).await.unwrap();
    let (mut read, mut write) = tcp.into_split();
    let trickle = tokio::spawn(async move {
        for _ in 0..2000 {
            if write.write_all(b" ").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut answer = [0u8; 64];
    let n = tokio::time::timeout(WAIT, read.read(&mut answer))
        .await
        .expect("an answer within WAIT")
        .unwrap_or(0);
    trickle.abort();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
}

/// A visitor saying hello through a proxy that reports `forwarded_for`.
async fn visitor_from(server: &TestServer, forwarded_for: &str) -> anyhow::Result<Client> {
    let url = format!("{}{}", server.running.ws_url(), visitor_path());
    let mut v = Client::connect_with(
        &url,
        Some(SHOP_ORIGIN),
        &[("X-Forwarded-For", forwarded_for)],
    )
    .await?;
    v.send(ClientFrame::Hello {
        token: None,
        page: None,
    })
    .await;
    v.expect(|f| matches!(f, ServerFrame::Welcome { .. })).await;
    Ok(v)
}

#[tokio::test]
async fn one_address_behind_a_trusted_proxy_cannot_open_more_than_the_cap() {
    let server = TestServer::start_with(|c| {
        c.connections.max_per_ip = 3;
        c.connections.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(visitor_from(&server, "203.0.113.7").await.unwrap());
    }
    let err = visitor_from(&server, "203.0.113.7")
        .await
        .err()
        .expect("the fourth socket from one address is refused");
    assert!(err.to_string().contains("429"), "{err}");
    // Another client of the same proxy is not affected…
    let _other = visitor_from(&server, "203.0.113.8").await.unwrap();
    // …nor is the address once one of its sockets has closed.
    held.pop().unwrap().close().await;
    let deadline = Instant::now() + WAIT;
    loop {
        match visitor_from(&server, "203.0.113.7").await {
            Ok(_) => break,
            Err(e) if Instant::now() < deadline => {
                assert!(e.to_string().contains("429"), "{e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("the freed slot never came back: {e}"),
        }
    }
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_does_not_escape_the_cap() {
    let server = TestServer::start_with(|c| c.connections.max_per_ip = 3).await;
    let mut held = Vec::new();
    for i in 0..3 {
        held.push(
            visitor_from(&server, &format!("198.51.100.{i}"))
                .await
                .unwrap(),
        );
    }
    // Claiming a fresh address changes nothing: the peer is 127.0.0.1.
    assert!(
        visitor_from(&server, "198.51.100.99").await.is_err(),
        "a fourth connection from 127.0.0.1 was accepted"
    );
    // Plain HTTP from that address is refused too while the cap is full
    // (with a 429 when the client reads it before the connection closes).
    if let Ok(res) = reqwest::get(server.http("/healthz")).await {
        assert_eq!(res.status(), 429);
    }
}
