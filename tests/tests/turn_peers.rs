//! The embedded TURN relay must not become a way into the server's own
//! network: with the credentials any call participant gets, a hand-written
//! TURN client asks for permissions, channels and sends toward loopback,
//! private, metadata, broadcast and multicast peers. Each is refused (403
//! for requests, silence for sends) and a UDP service on 127.0.0.1 receives
//! nothing. Relaying between two allocations on this server, and to a range
//! the operator opened with `--turn-allow-peer`, keeps working.

use std::io::ErrorKind;
use std::net::SocketAddr;

use protocol::{CallPhase, ClientFrame, ServerFrame};
use tandem_tests::turn_client::{TurnClient, error_code};
use tandem_tests::{Accepted, TestServer, WAIT};

/// A call's TURN credentials, with the session that keeps them valid.
struct Credentials {
    _session: Accepted,
    turn: SocketAddr,
    username: String,
    password: String,
}

/// The agent calls, the visitor accepts, and the visitor's side gets its
/// TURN credentials, as any visitor who accepts a call does.
async fn call_credentials(server: &TestServer) -> Credentials {
    let mut a = server.accepted_session("call me").await;
    a.agent
        .send(ClientFrame::CallStart {
            session: a.session.clone(),
        })
        .await;
    let ServerFrame::Call { call, .. } = a
        .visitor
        .expect(|f| matches!(f, ServerFrame::Call { call, .. } if call.phase == CallPhase::Ringing))
        .await
    else {
        unreachable!()
    };
    a.visitor
        .send(ClientFrame::CallAccept {
            session: a.session.clone(),
            call: call.id,
        })
        .await;
    let ServerFrame::CallCredentials { ice_servers, .. } = a
        .visitor
        .expect(|f| matches!(f, ServerFrame::CallCredentials { .. }))
        .await
    else {
        unreachable!()
    };
    let turn = ice_servers
        .into_iter()
        .find(|s| s.urls.iter().any(|u| u.starts_with("turn:")))
        .expect("the embedded TURN server");
    Credentials {
        _session: a,
        turn: server
            .running
            .turn_addr
            .expect("the embedded TURN server runs"),
        username: turn.username.expect("a TURN username"),
        password: turn.credential.expect("a TURN password"),
    }
}

impl Credentials {
    async fn allocate(&self) -> TurnClient {
        TurnClient::allocate(self.turn, &self.username, &self.password).await
    }
}

/// A UDP service on loopback that must hear nothing. A plain non-blocking
/// socket: `recv_from` asks the kernel directly, so after a barrier "would
/// block" really means nothing arrived.
struct Listener(std::net::UdpSocket);

impl Listener {
    fn bind(addr: &str) -> Listener {
        let sock = std::net::UdpSocket::bind(addr).unwrap();
        sock.set_nonblocking(true).unwrap();
        Listener(sock)
    }

    fn addr(&self) -> SocketAddr {
        self.0.local_addr().unwrap()
    }

    /// Asserts nothing has arrived. Call after `TurnClient::barrier`: the
    /// server relays a datagram before it answers the next request, and a
    /// datagram sent on loopback is queued at its receiver when sent.
    fn assert_silent(&self) {
        let mut buf = [0u8; 1500];
        match self.0.recv_from(&mut buf) {
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Ok((n, from)) => panic!("the service received {n} bytes from {from}"),
            Err(e) => panic!("{e}"),
        }
    }
}

const CHANNEL: u16 = 0x4001;

#[tokio::test]
async fn turn_refuses_a_permission_for_loopback_and_relays_nothing_to_it() {
    let server = TestServer::start().await;
    let creds = call_credentials(&server).await;
    let service = Listener::bind("127.0.0.1:0");
    let mut attacker = creds.allocate().await;

    let mut res = attacker.create_permission_response(service.addr()).await;
    assert_eq!(error_code(&res), Some(403), "{res}");
    // Signed like any response to an authenticated request.
    attacker
        .integrity
        .check(&mut res)
        .expect("the 403 carries a valid MESSAGE-INTEGRITY");

    attacker
        .send_indication(service.addr(), b"GET / HTTP/1.0\r\n\r\n")
        .await;
    attacker.barrier().await;
    service.assert_silent();
}

#[tokio::test]
async fn turn_refuses_a_channel_bind_to_loopback_and_relays_nothing_to_it() {
    let server = TestServer::start().await;
    let creds = call_credentials(&server).await;
    let service = Listener::bind("127.0.0.1:0");
    let mut attacker = creds.allocate().await;

    assert_eq!(
        attacker.channel_bind(CHANNEL, service.addr()).await,
        Err(403)
    );
    attacker.channel_data(CHANNEL, b"hello").await;
    attacker.send_indication(service.addr(), b"hello").await;
    attacker.barrier().await;
    service.assert_silent();
}

#[tokio::test]
async fn turn_refuses_private_metadata_broadcast_and_multicast_peers() {
    let server = TestServer::start().await;
    let creds = call_credentials(&server).await;
    let mut attacker = creds.allocate().await;
    let peers = [
        "127.0.0.2:53",
        "10.0.0.1:53",
        "172.16.0.1:53",
        "192.168.1.1:53",
        "169.254.169.254:80",
        "100.64.0.1:53",
        "0.0.0.0:53",
        "255.255.255.255:9",
        "224.0.0.251:5353",
        "240.0.0.1:9",
        "192.0.0.8:9",
    ];
    for (channel, peer) in (CHANNEL..).zip(peers) {
        let peer: SocketAddr = peer.parse().unwrap();
        assert_eq!(
            attacker.create_permission(&[peer]).await,
            Err(403),
            "{peer}"
        );
        assert_eq!(
            attacker.channel_bind(channel, peer).await,
            Err(403),
            "{peer}"
        );
    }
    // One refused peer among allowed ones refuses the whole request.
    let public: SocketAddr = "8.8.8.8:53".parse().unwrap();
    let private: SocketAddr = "10.1.2.3:53".parse().unwrap();
    assert_eq!(
        attacker.create_permission(&[public, private]).await,
        Err(403)
    );
    assert_eq!(attacker.create_permission(&[public]).await, Ok(()));
}

#[tokio::test]
async fn turn_relays_between_two_allocations_on_the_same_server() {
    let server = TestServer::start().await;
    let creds = call_credentials(&server).await;
    let mut a = creds.allocate().await;
    let mut b = creds.allocate().await;

    // Two browsers that both relay through us: each permits the other's
    // relay address, which is on this server's own (here loopback) IP.
    assert_eq!(a.create_permission(&[b.relay]).await, Ok(()));
    assert_eq!(b.create_permission(&[a.relay]).await, Ok(()));
    a.send_indication(b.relay, b"a to b").await;
    assert_eq!(b.recv_data().await, (a.relay, b"a to b".to_vec()));
    b.send_indication(a.relay, b"b to a").await;
    assert_eq!(a.recv_data().await, (b.relay, b"b to a".to_vec()));

    // And over channels.
    assert_eq!(a.channel_bind(CHANNEL, b.relay).await, Ok(()));
    assert_eq!(b.channel_bind(CHANNEL + 1, a.relay).await, Ok(()));
    a.channel_data(CHANNEL, b"over a channel").await;
    let (via, data) = b.recv_data().await;
    assert_eq!(data, b"over a channel");
    assert_eq!(via.port(), CHANNEL + 1, "arrives on b's channel to a");
}

#[tokio::test]
async fn turn_does_not_stretch_a_permission_for_a_relay_to_other_ports() {
    let server = TestServer::start().await;
    let creds = call_credentials(&server).await;
    let service = Listener::bind("127.0.0.1:0");
    let mut attacker = creds.allocate().await;
    let other = creds.allocate().await;

    // Permissions are per IP: one for our own relay on 127.0.0.1 must not
    // carry a Send to every other port of 127.0.0.1.
    assert_eq!(attacker.create_permission(&[other.relay]).await, Ok(()));
    attacker.send_indication(service.addr(), b"hello").await;
    attacker.barrier().await;
    service.assert_silent();
}

#[tokio::test]
async fn turn_forgets_a_relay_address_once_its_allocation_is_gone() {
    let server = TestServer::start().await;
    let creds = call_credentials(&server).await;
    let mut attacker = creds.allocate().await;
    let mut other = creds.allocate().await;
    let old = other.relay;
    assert_eq!(attacker.channel_bind(CHANNEL, old).await, Ok(()));
    other.release().await;

    // The port may now belong to anything: here, a service of ours.
    let service = bind_when_free(old).await;
    attacker.channel_data(CHANNEL, b"hello").await;
    attacker.send_indication(old, b"hello").await;
    attacker.barrier().await;
    service.assert_silent();
    assert_eq!(attacker.create_permission(&[old]).await, Err(403));
}

/// Binds `addr` once the relay that held it has let go (bounded wait).
async fn bind_when_free(addr: SocketAddr) -> Listener {
    let until = tokio::time::Instant::now() + WAIT;
    loop {
        match std::net::UdpSocket::bind(addr) {
            Ok(sock) => {
                sock.set_nonblocking(true).unwrap();
                return Listener(sock);
            }
            Err(_) if tokio::time::Instant::now() < until => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            Err(e) => panic!("the released relay still holds {addr}: {e}"),
        }
    }
}

#[tokio::test]
async fn turn_relays_to_a_peer_in_an_allowed_range() {
    let server = TestServer::start_with(|c| {
        let turn = c.voice.turn.as_mut().expect("TURN on");
        turn.allow_peers = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let creds = call_credentials(&server).await;
    let service = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let service_addr = service.local_addr().unwrap();
    let mut client = creds.allocate().await;

    assert_eq!(client.create_permission(&[service_addr]).await, Ok(()));
    client.send_indication(service_addr, b"ping").await;
    let mut buf = [0u8; 64];
    let (n, from) = tokio::time::timeout(WAIT, service.recv_from(&mut buf))
        .await
        .expect("the allowed peer hears the client")
        .unwrap();
    assert_eq!(&buf[..n], b"ping");
    assert_eq!(from.port(), client.relay.port(), "it comes from the relay");
    service.send_to(b"pong", from).await.unwrap();
    assert_eq!(client.recv_data().await, (service_addr, b"pong".to_vec()));

    // Opening 127.0.0.1 opens nothing else.
    let private: SocketAddr = "10.0.0.1:53".parse().unwrap();
    assert_eq!(client.create_permission(&[private]).await, Err(403));
}
