//! A TURN client written by hand over a UDP socket (STUN messages from the
//! `stun` crate), so a test can send exactly the requests an attacker would
//! and read each answer's error code and integrity.

use std::collections::VecDeque;
use std::net::SocketAddr;

use crate::WAIT;
use stun::agent::TransactionId;
use stun::attributes::{
    ATTR_CHANNEL_NUMBER, ATTR_DATA, ATTR_LIFETIME, ATTR_NONCE, ATTR_REALM,
    ATTR_REQUESTED_TRANSPORT, ATTR_USERNAME, ATTR_XOR_PEER_ADDRESS, ATTR_XOR_RELAYED_ADDRESS,
};
use stun::error_code::ErrorCodeAttribute;
use stun::integrity::MessageIntegrity;
use stun::message::{
    CLASS_ERROR_RESPONSE, CLASS_INDICATION, CLASS_REQUEST, Getter, METHOD_ALLOCATE, METHOD_BINDING,
    METHOD_CHANNEL_BIND, METHOD_CREATE_PERMISSION, METHOD_DATA, METHOD_REFRESH, METHOD_SEND,
    Message, MessageType, Method, Setter,
};
use stun::textattrs::TextAttribute;
use stun::xoraddr::XorMappedAddress;
use tokio::net::UdpSocket;

/// UDP, in REQUESTED-TRANSPORT.
const UDP: u8 = 17;

/// One allocation on the TURN server.
pub struct TurnClient {
    sock: UdpSocket,
    server: SocketAddr,
    username: String,
    realm: String,
    nonce: String,
    pub integrity: MessageIntegrity,
    /// The relayed address the server gave us.
    pub relay: SocketAddr,
    /// Datagrams that arrived while waiting for a response.
    early: VecDeque<Vec<u8>>,
}

/// How a request ended: success, or the error code the server gave.
pub type Answer = Result<(), u16>;

impl TurnClient {
    /// Allocates a relay with long-term credentials, after the 401 that
    /// tells us the realm and nonce.
    pub async fn allocate(server: SocketAddr, username: &str, password: &str) -> TurnClient {
        match TurnClient::try_allocate(server, username, password).await {
            Ok(client) => client,
            Err(code) => panic!("allocate refused with {code}"),
        }
    }

    /// Like `allocate`; the error code when the server refuses.
    pub async fn try_allocate(
        server: SocketAddr,
        username: &str,
        password: &str,
    ) -> Result<TurnClient, u16> {
        let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let mut client = TurnClient {
            sock,
            server,
            username: username.into(),
            realm: String::new(),
            nonce: String::new(),
            integrity: MessageIntegrity(Vec::new()),
            relay: server,
            early: VecDeque::new(),
        };
        let challenge = client
            .transact(message(METHOD_ALLOCATE, CLASS_REQUEST))
            .await;
        assert_eq!(error_code(&challenge), Some(401), "{challenge}");
        client.realm = TextAttribute::get_from_as(&challenge, ATTR_REALM)
            .unwrap()
            .text;
        client.nonce = TextAttribute::get_from_as(&challenge, ATTR_NONCE)
            .unwrap()
            .text;
        client.integrity = MessageIntegrity::new_long_term_integrity(
            username.into(),
            client.realm.clone(),
            password.into(),
        );
        let mut m = message(METHOD_ALLOCATE, CLASS_REQUEST);
        m.add(ATTR_REQUESTED_TRANSPORT, &[UDP, 0, 0, 0]);
        let res = client.signed(m).await;
        if let Some(code) = error_code(&res) {
            return Err(code);
        }
        let mut relayed = XorMappedAddress::default();
        relayed.get_from_as(&res, ATTR_XOR_RELAYED_ADDRESS).unwrap();
        client.relay = SocketAddr::new(relayed.ip, relayed.port);
        Ok(client)
    }

    /// CreatePermission for `peers`.
    pub async fn create_permission(&mut self, peers: &[SocketAddr]) -> Answer {
        let mut m = message(METHOD_CREATE_PERMISSION, CLASS_REQUEST);
        for peer in peers {
            add_peer(&mut m, *peer);
        }
        answer(&self.signed(m).await)
    }

    /// ChannelBind of `channel` (0x4000..=0x4FFF) to `peer`.
    pub async fn channel_bind(&mut self, channel: u16, peer: SocketAddr) -> Answer {
        let mut m = message(METHOD_CHANNEL_BIND, CLASS_REQUEST);
        add_peer(&mut m, peer);
        let [hi, lo] = channel.to_be_bytes();
        m.add(ATTR_CHANNEL_NUMBER, &[hi, lo, 0, 0]);
        answer(&self.signed(m).await)
    }

    /// Like `create_permission`, returning the raw response for inspection.
    pub async fn create_permission_response(&mut self, peer: SocketAddr) -> Message {
        let mut m = message(METHOD_CREATE_PERMISSION, CLASS_REQUEST);
        add_peer(&mut m, peer);
        self.signed(m).await
    }

    /// A Send indication carrying `data` to `peer` (no answer comes).
    pub async fn send_indication(&self, peer: SocketAddr, data: &[u8]) {
        let mut m = message(METHOD_SEND, CLASS_INDICATION);
        add_peer(&mut m, peer);
        m.add(ATTR_DATA, data);
        self.sock.send_to(&m.raw, self.server).await.unwrap();
    }

    /// `data` over a bound channel.
    pub async fn channel_data(&self, channel: u16, data: &[u8]) {
        let mut raw = channel.to_be_bytes().to_vec();
        raw.extend((data.len() as u16).to_be_bytes());
        raw.extend(data);
        self.sock.send_to(&raw, self.server).await.unwrap();
    }

    /// Returns once the server has handled every datagram we sent before:
    /// it reads them in order and answers this Binding request last.
    pub async fn barrier(&mut self) {
        let res = self.transact(message(METHOD_BINDING, CLASS_REQUEST)).await;
        assert_eq!(error_code(&res), None, "binding: {res}");
    }

    /// Gives the relay back (Refresh with a lifetime of 0).
    pub async fn release(&mut self) {
        let mut m = message(METHOD_REFRESH, CLASS_REQUEST);
        m.add(ATTR_LIFETIME, &0u32.to_be_bytes());
        let res = self.signed(m).await;
        assert_eq!(error_code(&res), None, "refresh: {res}");
    }

    /// The next data relayed to us, as (peer, bytes): a Data indication, or
    /// ChannelData (reported with the channel's number as the port of an
    /// unspecified address, since ChannelData does not name the peer).
    pub async fn recv_data(&mut self) -> (SocketAddr, Vec<u8>) {
        let raw = match self.early.pop_front() {
            Some(raw) => raw,
            None => self.recv_raw().await,
        };
        if raw.first().is_some_and(|b| b & 0xc0 == 0x40) {
            let channel = u16::from_be_bytes([raw[0], raw[1]]);
            let len = usize::from(u16::from_be_bytes([raw[2], raw[3]]));
            return (
                SocketAddr::from(([0, 0, 0, 0], channel)),
                raw[4..4 + len].to_vec(),
            );
        }
        let m = decode(raw);
        assert_eq!(
            m.typ,
            MessageType::new(METHOD_DATA, CLASS_INDICATION),
            "{m}"
        );
        let mut peer = XorMappedAddress::default();
        peer.get_from_as(&m, ATTR_XOR_PEER_ADDRESS).unwrap();
        (
            SocketAddr::new(peer.ip, peer.port),
            m.get(ATTR_DATA).unwrap(),
        )
    }

    /// Sends `m` with our credentials and MESSAGE-INTEGRITY; returns the
    /// response.
    async fn signed(&mut self, mut m: Message) -> Message {
        TextAttribute::new(ATTR_USERNAME, self.username.clone())
            .add_to(&mut m)
            .unwrap();
        TextAttribute::new(ATTR_REALM, self.realm.clone())
            .add_to(&mut m)
            .unwrap();
        TextAttribute::new(ATTR_NONCE, self.nonce.clone())
            .add_to(&mut m)
            .unwrap();
        self.integrity.add_to(&mut m).unwrap();
        self.transact(m).await
    }

    /// Sends request `m` and waits (bounded) for the response to it,
    /// keeping anything else that arrives meanwhile.
    async fn transact(&mut self, m: Message) -> Message {
        self.sock.send_to(&m.raw, self.server).await.unwrap();
        loop {
            let raw = self.recv_raw().await;
            if raw.len() >= 20 && raw[0] & 0xc0 == 0 && raw[8..20] == m.transaction_id.0 {
                return decode(raw);
            }
            self.early.push_back(raw);
        }
    }

    async fn recv_raw(&self) -> Vec<u8> {
        let mut buf = vec![0u8; 1500];
        let (n, _) = tokio::time::timeout(WAIT, self.sock.recv_from(&mut buf))
            .await
            .expect("the TURN server answers in time")
            .unwrap();
        buf.truncate(n);
        buf
    }
}

fn message(method: Method, class: stun::message::MessageClass) -> Message {
    let mut m = Message::new();
    m.build(&[
        Box::new(TransactionId::new()),
        Box::new(MessageType::new(method, class)),
    ])
    .unwrap();
    m
}

fn add_peer(m: &mut Message, peer: SocketAddr) {
    XorMappedAddress {
        ip: peer.ip(),
        port: peer.port(),
    }
    .add_to_as(m, ATTR_XOR_PEER_ADDRESS)
    .unwrap();
}

fn decode(raw: Vec<u8>) -> Message {
    let mut m = Message::new();
    m.raw = raw;
    m.decode().expect("a STUN message");
    m
}

/// The ERROR-CODE of an error response, `None` for any other message.
pub fn error_code(m: &Message) -> Option<u16> {
    if m.typ.class != CLASS_ERROR_RESPONSE {
        return None;
    }
    let mut code = ErrorCodeAttribute::default();
    code.get_from(m).ok()?;
    Some(code.code.0)
}

fn answer(m: &Message) -> Answer {
    match error_code(m) {
        None if m.typ.class == CLASS_ERROR_RESPONSE => Err(0),
        None => Ok(()),
        Some(code) => Err(code),
    }
}
