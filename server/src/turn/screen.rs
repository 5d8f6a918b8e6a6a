//! The TURN socket, screened: every request that names a peer
//! (CreatePermission, ChannelBind) and every Send indication is checked
//! against the peer policy before the `turn` crate sees it.
//!
//! Why here: the crate has no hook for peers. Its server grants any
//! CreatePermission or ChannelBind that authenticates and forwards any Send
//! indication with a permission, and it reads every datagram through the
//! socket it is given. Wrapping that socket lets us answer a refused request
//! ourselves and keep it from the crate entirely, so no permission or
//! channel toward a refused peer is ever installed. ChannelData passes: its
//! peer was screened when the channel was bound, and the relay socket
//! checks each datagram again (relay_guard.rs).
//!
//! The answer to a refused request is 403 (Forbidden), as RFC 8656 (§9.2,
//! §11.2) prescribes for peer addresses the server does not allow. When the
//! request authenticates (the credentials are the ones `SessionAuth` accepts
//! and its MESSAGE-INTEGRITY checks out), the 403 carries MESSAGE-INTEGRITY
//! under the same key, as RFC 8489 (§9.2.4) asks of responses to
//! authenticated requests other than 400/401/438. The webrtc-rs client reads
//! the error code without checking integrity, but a client that checks would
//! drop an unsigned 403 and retransmit until its transaction timed out. A
//! request that does not authenticate still gets 403, unsigned: it is never
//! passed on, so the crate cannot act on it, and the policy it reveals is
//! documented anyway.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use stun::attributes::{ATTR_MESSAGE_INTEGRITY, ATTR_REALM, ATTR_USERNAME, ATTR_XOR_PEER_ADDRESS};
use stun::error_code::{CODE_FORBIDDEN, ErrorCodeAttribute};
use stun::integrity::MessageIntegrity;
use stun::message::{
    CLASS_ERROR_RESPONSE, CLASS_INDICATION, CLASS_REQUEST, MAGIC_COOKIE, METHOD_CHANNEL_BIND,
    METHOD_CREATE_PERMISSION, METHOD_SEND, Message, MessageType, Setter,
};
use stun::textattrs::TextAttribute;
use webrtc_turn::auth::AuthHandler;
use webrtc_turn::proto::chandata::ChannelData;
use webrtc_util::Conn;

use super::filtered::DatagramFilter;
use super::peers::Forbidden;
use super::relay_guard::PeerGuard;

/// What happens to one incoming datagram.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// On to the TURN server.
    Pass,
    /// Dropped without an answer (indications get none).
    Drop,
    /// Answered with this datagram and not passed on.
    Answer(Vec<u8>),
}

/// Checks what the server is about to read. `auth` is the server's own
/// auth handler, so a 403 is signed with the key the crate would use.
pub struct Screen {
    pub guard: Arc<PeerGuard>,
    pub auth: Arc<dyn AuthHandler + Send + Sync>,
}

impl Screen {
    pub fn verdict(&self, packet: &[u8], from: SocketAddr) -> Verdict {
        // Told apart exactly as the crate does (request.rs), so nothing it
        // reads as a STUN message escapes the screen: it ignores the two
        // top bits STUN reserves as zero, so 0x8016 is a Send indication too.
        if ChannelData::is_channel_data(packet) {
            return Verdict::Pass;
        }
        let mut m = Message::new();
        m.raw = packet.to_vec();
        if m.decode().is_err() {
            // The crate decodes the same way and will drop it too.
            return Verdict::Pass;
        }
        let what = match (m.typ.method, m.typ.class) {
            (METHOD_CREATE_PERMISSION, CLASS_REQUEST) => "create permission",
            (METHOD_CHANNEL_BIND, CLASS_REQUEST) => "channel bind",
            (METHOD_SEND, CLASS_INDICATION) => "send indication",
            _ => return Verdict::Pass,
        };
        let refused = match peer_addresses(&m) {
            // The crate reads only the first XOR-PEER-ADDRESS: every one is
            // checked, and one that cannot be read refuses the message, so
            // no two readings of it can differ.
            None => Some((None, Forbidden("unreadable XOR-PEER-ADDRESS"))),
            Some(peers) => peers
                .into_iter()
                .find_map(|p| self.guard.check(p).err().map(|why| (Some(p), why))),
        };
        let Some((peer, why)) = refused else {
            return Verdict::Pass;
        };
        self.guard.log_refusal(what, Some(from), peer, why);
        if m.typ.class == CLASS_INDICATION {
            return Verdict::Drop;
        }
        match self.forbidden(&m, from) {
            Some(answer) => Verdict::Answer(answer),
            None => Verdict::Drop,
        }
    }

    /// A 403 response to request `m`, signed when `m` authenticates.
    fn forbidden(&self, m: &Message, from: SocketAddr) -> Option<Vec<u8>> {
        let mut setters: Vec<Box<dyn Setter>> = vec![
            Box::new(Message {
                transaction_id: m.transaction_id,
                ..Default::default()
            }),
            Box::new(MessageType::new(m.typ.method, CLASS_ERROR_RESPONSE)),
            Box::new(ErrorCodeAttribute {
                code: CODE_FORBIDDEN,
                reason: b"Forbidden".to_vec(),
            }),
        ];
        if let Some(integrity) = self.integrity_of(m, from) {
            setters.push(Box::new(integrity));
        }
        let mut answer = Message::new();
        answer.build(&setters).ok()?;
        Some(answer.raw)
    }

    /// The request's key, when its credentials are good and its
    /// MESSAGE-INTEGRITY checks out under them.
    fn integrity_of(&self, m: &Message, from: SocketAddr) -> Option<MessageIntegrity> {
        if !m.contains(ATTR_MESSAGE_INTEGRITY) {
            return None;
        }
        let username = TextAttribute::get_from_as(m, ATTR_USERNAME).ok()?;
        let realm = TextAttribute::get_from_as(m, ATTR_REALM).ok()?;
        let key = self
            .auth
            .auth_handle(&username.text, &realm.text, from)
            .ok()?;
        let integrity = MessageIntegrity(key);
        integrity.check(&mut m.clone()).ok()?;
        Some(integrity)
    }
}

/// Every XOR-PEER-ADDRESS in `m`, or `None` if one is malformed. Read here
/// rather than by the `stun` crate, whose reader returns the first only and
/// accepts a short address.
fn peer_addresses(m: &Message) -> Option<Vec<SocketAddr>> {
    m.attributes
        .0
        .iter()
        .filter(|a| a.typ == ATTR_XOR_PEER_ADDRESS)
        .map(|a| xor_address(&a.value, &m.transaction_id.0))
        .collect()
}

/// An XOR-...-ADDRESS value (RFC 8489 §14.2): a reserved byte (ignored),
/// the family, then port and address XORed with the magic cookie (and, for
/// IPv6, the transaction id).
fn xor_address(value: &[u8], transaction_id: &[u8; 12]) -> Option<SocketAddr> {
    let ([_, family, p0, p1], addr) = value.split_first_chunk::<4>()?;
    let mut mask = [0u8; 16];
    mask[..4].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    mask[4..].copy_from_slice(transaction_id);
    let mut octets = [0u8; 16];
    for ((o, b), m) in octets.iter_mut().zip(addr).zip(mask) {
        *o = b ^ m;
    }
    let ip = match (family, addr.len()) {
        (0x01, 4) => IpAddr::V4(Ipv4Addr::new(octets[0], octets[1], octets[2], octets[3])),
        (0x02, 16) => IpAddr::V6(Ipv6Addr::from(octets)),
        _ => return None,
    };
    let port = u16::from_be_bytes([*p0, *p1]) ^ (MAGIC_COOKIE >> 16) as u16;
    Some(SocketAddr::new(ip, port))
}

/// The verdict on one datagram from a fixed client, under the default peer
/// policy and one user, [`FUZZ_USER`] with key [`FUZZ_KEY`] (so signed
/// requests reach the integrity check): the pure entry point of the fuzz
/// target fuzz/fuzz_targets/turn_screen.rs. The server does not use it.
#[doc(hidden)]
pub fn verdict_for_fuzzing(packet: &[u8]) -> Verdict {
    static SCREEN: std::sync::OnceLock<Screen> = std::sync::OnceLock::new();
    let screen = SCREEN.get_or_init(|| Screen {
        guard: Arc::new(PeerGuard::new(Default::default())),
        auth: Arc::new(FuzzUser),
    });
    screen.verdict(packet, SocketAddr::from(([203, 0, 113, 50], 40000)))
}

/// The one user [`verdict_for_fuzzing`] knows, and its key.
pub const FUZZ_USER: &str = "fuzz";
pub const FUZZ_KEY: &[u8] = b"sixteen byte key";

struct FuzzUser;

impl AuthHandler for FuzzUser {
    fn auth_handle(
        &self,
        username: &str,
        _realm: &str,
        _src: SocketAddr,
    ) -> Result<Vec<u8>, webrtc_turn::Error> {
        match username {
            FUZZ_USER => Ok(FUZZ_KEY.to_vec()),
            _ => Err(webrtc_turn::Error::Other("unknown user".into())),
        }
    }
}

/// On the TURN socket: datagrams the screen refuses are answered or
/// dropped here and never reach the crate.
#[async_trait::async_trait]
impl DatagramFilter for Screen {
    async fn incoming(
        &self,
        conn: &(dyn Conn + Send + Sync),
        datagram: &[u8],
        from: SocketAddr,
    ) -> bool {
        match self.verdict(datagram, from) {
            Verdict::Pass => true,
            Verdict::Drop => false,
            Verdict::Answer(answer) => {
                // A client that cannot be answered retransmits; nothing
                // here is worth more than a debug line.
                if let Err(e) = conn.send_to(&answer, from).await {
                    tracing::debug!(error = %e, %from, "answering a refused TURN request");
                }
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use stun::agent::TransactionId;
    use stun::attributes::ATTR_CHANNEL_NUMBER;
    use stun::error_code::ErrorCodeAttribute;
    use stun::message::{Getter, METHOD_ALLOCATE};
    use stun::xoraddr::XorMappedAddress;

    use super::*;
    use crate::turn::peers::PeerPolicy;

    const KEY: &[u8] = b"sixteen byte key";

    /// Accepts the username "good" only.
    struct OneUser;

    impl AuthHandler for OneUser {
        fn auth_handle(
            &self,
            username: &str,
            _realm: &str,
            _src: SocketAddr,
        ) -> Result<Vec<u8>, webrtc_turn::Error> {
            match username {
                "good" => Ok(KEY.to_vec()),
                _ => Err(webrtc_turn::Error::Other("unknown".into())),
            }
        }
    }

    fn screen() -> Screen {
        Screen {
            guard: Arc::new(PeerGuard::new(PeerPolicy::default())),
            auth: Arc::new(OneUser),
        }
    }

    const CLIENT: &str = "203.0.113.50:40000";

    /// A `method`/`class` message naming `peers`, signed as `user`.
    fn message(
        method: stun::message::Method,
        class: stun::message::MessageClass,
        peers: &[&str],
        user: &str,
    ) -> Message {
        let mut m = Message::new();
        m.build(&[
            Box::new(TransactionId::new()),
            Box::new(MessageType::new(method, class)),
        ])
        .unwrap();
        for peer in peers {
            let peer: SocketAddr = peer.parse().unwrap();
            XorMappedAddress {
                ip: peer.ip(),
                port: peer.port(),
            }
            .add_to_as(&mut m, ATTR_XOR_PEER_ADDRESS)
            .unwrap();
        }
        if class == CLASS_REQUEST {
            m.add(ATTR_CHANNEL_NUMBER, &[0x40, 0x00, 0, 0]);
            TextAttribute::new(ATTR_USERNAME, user.into())
                .add_to(&mut m)
                .unwrap();
            TextAttribute::new(ATTR_REALM, "tandem".into())
                .add_to(&mut m)
                .unwrap();
            MessageIntegrity(KEY.to_vec()).add_to(&mut m).unwrap();
        }
        m
    }

    fn verdict(m: &Message) -> Verdict {
        screen().verdict(&m.raw, CLIENT.parse().unwrap())
    }

    /// The answer, decoded: its error code, and whether it is signed with KEY.
    fn answer(verdict: Verdict, request: &Message) -> (u16, bool) {
        let Verdict::Answer(raw) = verdict else {
            panic!("not answered: {verdict:?}");
        };
        let mut m = Message::new();
        m.raw = raw;
        m.decode().unwrap();
        assert_eq!(m.transaction_id, request.transaction_id);
        assert_eq!(
            m.typ,
            MessageType::new(request.typ.method, CLASS_ERROR_RESPONSE)
        );
        let mut code = ErrorCodeAttribute::default();
        code.get_from(&m).unwrap();
        let signed = MessageIntegrity(KEY.to_vec()).check(&mut m).is_ok();
        (code.code.0, signed)
    }

    #[test]
    fn a_permission_for_loopback_gets_a_signed_403() {
        let m = message(
            METHOD_CREATE_PERMISSION,
            CLASS_REQUEST,
            &["127.0.0.1:9"],
            "good",
        );
        assert_eq!(answer(verdict(&m), &m), (403, true));
    }

    #[test]
    fn a_channel_to_cloud_metadata_gets_a_signed_403() {
        let m = message(
            METHOD_CHANNEL_BIND,
            CLASS_REQUEST,
            &["169.254.169.254:80"],
            "good",
        );
        assert_eq!(answer(verdict(&m), &m), (403, true));
    }

    #[test]
    fn one_refused_peer_among_several_refuses_the_request() {
        let m = message(
            METHOD_CREATE_PERMISSION,
            CLASS_REQUEST,
            &["8.8.8.8:9", "[::ffff:10.0.0.1]:9"],
            "good",
        );
        assert_eq!(answer(verdict(&m), &m), (403, true));
    }

    #[test]
    fn a_request_that_does_not_authenticate_gets_an_unsigned_403() {
        let m = message(
            METHOD_CREATE_PERMISSION,
            CLASS_REQUEST,
            &["10.0.0.1:9"],
            "forged",
        );
        assert_eq!(answer(verdict(&m), &m), (403, false));
        let mut tampered = message(
            METHOD_CREATE_PERMISSION,
            CLASS_REQUEST,
            &["10.0.0.1:9"],
            "good",
        );
        let last = tampered.raw.len() - 1;
        tampered.raw[last] ^= 1;
        assert_eq!(answer(verdict(&tampered), &tampered), (403, false));
    }

    #[test]
    fn a_send_indication_to_a_private_peer_is_dropped() {
        let m = message(METHOD_SEND, CLASS_INDICATION, &["192.168.1.1:53"], "");
        assert_eq!(verdict(&m), Verdict::Drop);
    }

    #[test]
    fn a_send_indication_with_the_reserved_bits_set_is_still_screened() {
        let mut m = message(METHOD_SEND, CLASS_INDICATION, &["127.0.0.1:53"], "");
        m.raw[0] |= 0x80;
        assert_eq!(verdict(&m), Verdict::Drop);
        m.raw[0] ^= 0xc0; // now 0b01: the crate reads ChannelData, not a Send
        assert_eq!(verdict(&m), Verdict::Pass);
    }

    #[test]
    fn public_peers_and_other_messages_pass() {
        for m in [
            message(
                METHOD_CREATE_PERMISSION,
                CLASS_REQUEST,
                &["8.8.8.8:9"],
                "good",
            ),
            message(
                METHOD_CHANNEL_BIND,
                CLASS_REQUEST,
                &["[2606:4700::1111]:9"],
                "good",
            ),
            message(METHOD_SEND, CLASS_INDICATION, &["1.1.1.1:53"], ""),
            message(METHOD_ALLOCATE, CLASS_REQUEST, &[], "good"),
        ] {
            assert_eq!(verdict(&m), Verdict::Pass, "{m}");
        }
        // ChannelData (its channel's peer was screened when bound), and
        // what is not STUN at all, go on to the crate.
        assert_eq!(
            screen().verdict(&[0x40, 0, 0, 1, 7], CLIENT.parse().unwrap()),
            Verdict::Pass
        );
        assert_eq!(
            screen().verdict(&[], CLIENT.parse().unwrap()),
            Verdict::Pass
        );
        assert_eq!(
            screen().verdict(&[0; 8], CLIENT.parse().unwrap()),
            Verdict::Pass
        );
    }

    #[test]
    fn an_unreadable_peer_address_refuses_the_request() {
        let mut m = message(METHOD_CREATE_PERMISSION, CLASS_REQUEST, &[], "good");
        // The IPv4 family with two address bytes: the stun crate would read
        // it as 127.0.0.0, port 0.
        m.add(ATTR_XOR_PEER_ADDRESS, &[0, 1, 0x21, 0x12, 0x5e, 0x12]);
        assert_eq!(answer(verdict(&m), &m).0, 403);
    }

    #[test]
    fn xor_addresses_read_back() {
        let id = [7u8; 12];
        let mut m = Message::new();
        m.transaction_id = TransactionId(id);
        for addr in ["192.0.2.1:3478", "[2001:db8::1]:5349"] {
            let addr: SocketAddr = addr.parse().unwrap();
            XorMappedAddress {
                ip: addr.ip(),
                port: addr.port(),
            }
            .add_to_as(&mut m, ATTR_XOR_PEER_ADDRESS)
            .unwrap();
        }
        let read: Vec<String> = peer_addresses(&m)
            .unwrap()
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(read, ["192.0.2.1:3478", "[2001:db8::1]:5349"]);
    }
}
