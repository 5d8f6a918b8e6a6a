//! What nodes send each other over the bus, and its byte layout. A gateway
//! (a node that is not the core) forwards what its sockets receive to the
//! core; the core sends back what those sockets must write.
//!
//! Layout: one tag byte, then for messages to the core the sending node's
//! id (one length byte, then UTF-8), then the connection's number on its
//! node (8 bytes, big-endian), then the payload. Payloads are the client's
//! frame as it arrived (text or binary) or the server's frame as the client
//! gets it, so nothing is parsed or serialised twice on the way through;
//! only `Open` carries JSON (who the connection authenticated as).

use axum::body::Bytes;
use serde::{Deserialize, Serialize};

use crate::hub::Principal;

/// A socket's number on the node that holds it.
pub type NodeConn = u64;

/// A gateway to the core: one of its sockets opened (after `hello`
/// succeeded there), sent a frame, or closed.
#[derive(Debug, Clone, PartialEq)]
pub struct ToCore {
    pub node: String,
    pub conn: NodeConn,
    pub what: FromSocket,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FromSocket {
    Open(Opened),
    Text(String),
    Binary(Bytes),
    Closed,
}

/// Who a socket authenticated as, and what its `welcome` needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opened {
    pub principal: Principal,
    /// A visitor's renewed token, sent back in `welcome`.
    pub visitor_token: Option<String>,
    /// The `hello`'s request id, echoed by `welcome`.
    pub rid: Option<u64>,
    /// The URLs of the gateway's own TURN server, which the socket's calls
    /// relay through (none: the core's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn: Option<Vec<String>>,
}

/// The core to a gateway: write a frame on one of its sockets, or close
/// it; or the sessions whose call is active now (the only ones the node's
/// TURN server may relay for).
#[derive(Debug, Clone, PartialEq)]
pub enum ToNode {
    Text(NodeConn, Bytes),
    Binary(NodeConn, Bytes),
    Close(NodeConn, u16),
    Calls(Vec<String>),
}

const OPEN: u8 = 1;
const TEXT: u8 = 2;
const BINARY: u8 = 3;
const CLOSED: u8 = 4;
const CLOSE: u8 = 5;
const CALLS: u8 = 6;

/// A message the bus delivered that this build cannot read: a node of
/// another version, or not a Tandem node at all. Logged and dropped.
#[derive(Debug, thiserror::Error)]
#[error("unreadable bus message: {0}")]
pub struct Unreadable(&'static str);

impl ToCore {
    pub fn encode(&self) -> Vec<u8> {
        let payload: &[u8] = match &self.what {
            FromSocket::Open(o) => &serde_json::to_vec(o).expect("plain data serialises"),
            FromSocket::Text(t) => t.as_bytes(),
            FromSocket::Binary(b) => b,
            FromSocket::Closed => &[],
        };
        let tag = match &self.what {
            FromSocket::Open(_) => OPEN,
            FromSocket::Text(_) => TEXT,
            FromSocket::Binary(_) => BINARY,
            FromSocket::Closed => CLOSED,
        };
        let node = self.node.as_bytes();
        let node_len = u8::try_from(node.len()).expect("node ids are short");
        let mut out = Vec::with_capacity(2 + node.len() + 8 + payload.len());
        out.push(tag);
        out.push(node_len);
        out.extend_from_slice(node);
        out.extend_from_slice(&self.conn.to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    pub fn decode(bytes: Bytes) -> Result<ToCore, Unreadable> {
        let (&tag, rest) = bytes.split_first().ok_or(Unreadable("empty"))?;
        let (&node_len, rest) = rest.split_first().ok_or(Unreadable("no node"))?;
        let node_len = usize::from(node_len);
        if rest.len() < node_len + 8 {
            return Err(Unreadable("short header"));
        }
        let node = std::str::from_utf8(&rest[..node_len])
            .map_err(|_| Unreadable("node id"))?
            .to_string();
        let conn = u64::from_be_bytes(rest[node_len..node_len + 8].try_into().expect("8 bytes"));
        let start = 2 + node_len + 8;
        let payload = bytes.slice(start..);
        let what = match tag {
            OPEN => {
                FromSocket::Open(serde_json::from_slice(&payload).map_err(|_| Unreadable("open"))?)
            }
            TEXT => FromSocket::Text(
                String::from_utf8(payload.to_vec()).map_err(|_| Unreadable("text"))?,
            ),
            BINARY => FromSocket::Binary(payload),
            CLOSED => FromSocket::Closed,
            _ => return Err(Unreadable("tag")),
        };
        Ok(ToCore { node, conn, what })
    }
}

impl ToNode {
    pub fn encode(&self) -> Vec<u8> {
        let joined;
        let (tag, conn, payload): (u8, NodeConn, &[u8]) = match self {
            ToNode::Text(c, t) => (TEXT, *c, t),
            ToNode::Binary(c, b) => (BINARY, *c, b),
            ToNode::Close(c, code) => (CLOSE, *c, &code.to_be_bytes()),
            // Session ids are ids (no newline); no socket is addressed.
            ToNode::Calls(sessions) => {
                joined = sessions.join("\n");
                (CALLS, 0, joined.as_bytes())
            }
        };
        let mut out = Vec::with_capacity(1 + 8 + payload.len());
        out.push(tag);
        out.extend_from_slice(&conn.to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    pub fn decode(bytes: Bytes) -> Result<ToNode, Unreadable> {
        if bytes.len() < 9 {
            return Err(Unreadable("short header"));
        }
        let conn = u64::from_be_bytes(bytes[1..9].try_into().expect("8 bytes"));
        let payload = bytes.slice(9..);
        match bytes[0] {
            TEXT => {
                std::str::from_utf8(&payload).map_err(|_| Unreadable("text"))?;
                Ok(ToNode::Text(conn, payload))
            }
            BINARY => Ok(ToNode::Binary(conn, payload)),
            CLOSE => {
                let code: [u8; 2] = payload[..].try_into().map_err(|_| Unreadable("close"))?;
                Ok(ToNode::Close(conn, u16::from_be_bytes(code)))
            }
            CALLS => {
                let joined = std::str::from_utf8(&payload).map_err(|_| Unreadable("calls"))?;
                let sessions = joined
                    .split('\n')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string);
                Ok(ToNode::Calls(sessions.collect()))
            }
            _ => Err(Unreadable("tag")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Agent;

    fn round_trip(m: ToCore) {
        assert_eq!(ToCore::decode(Bytes::from(m.encode())).unwrap(), m);
    }

    #[test]
    fn messages_to_the_core_read_back_as_written() {
        let node = "n_4f2a".to_string();
        round_trip(ToCore {
            node: node.clone(),
            conn: 7,
            what: FromSocket::Open(Opened {
                principal: Principal::Agent(Agent {
                    id: "a1".into(),
                    email: "ana@example.com".into(),
                    name: "Ana".into(),
                    skills: vec!["billing".into()],
                    capacity: 3,
                    roles: vec![protocol::api::AgentRole::Agent],
                }),
                visitor_token: None,
                rid: Some(1),
                turn: Some(vec!["turn:10.0.0.2:3478?transport=udp".into()]),
            }),
        });
        round_trip(ToCore {
            node: node.clone(),
            conn: u64::MAX,
            what: FromSocket::Text(r#"{"type":"chat.send"}"#.into()),
        });
        round_trip(ToCore {
            node: node.clone(),
            conn: 0,
            what: FromSocket::Binary(Bytes::from_static(&[0, 1, 2, 255])),
        });
        round_trip(ToCore {
            node,
            conn: 3,
            what: FromSocket::Closed,
        });
    }

    #[test]
    fn messages_to_a_node_read_back_as_written() {
        for m in [
            ToNode::Text(1, Bytes::from_static(b"{\"type\":\"event\"}")),
            ToNode::Binary(2, Bytes::from_static(&[9, 9])),
            ToNode::Close(3, 1012),
            ToNode::Calls(vec!["s_1".into(), "s_2".into()]),
            ToNode::Calls(Vec::new()),
        ] {
            assert_eq!(ToNode::decode(Bytes::from(m.encode())).unwrap(), m);
        }
    }

    #[test]
    fn truncated_or_foreign_messages_are_refused_not_misread() {
        assert!(ToCore::decode(Bytes::new()).is_err());
        assert!(ToCore::decode(Bytes::from_static(&[TEXT, 10, b'a'])).is_err());
        assert!(ToCore::decode(Bytes::from_static(&[99, 0, 0, 0, 0, 0, 0, 0, 0, 0])).is_err());
        assert!(ToNode::decode(Bytes::from_static(&[TEXT, 0, 0])).is_err());
        assert!(ToNode::decode(Bytes::from_static(&[CLOSE, 0, 0, 0, 0, 0, 0, 0, 1, 3])).is_err());
        let bad_text = ToNode::decode(Bytes::from_static(&[TEXT, 0, 0, 0, 0, 0, 0, 0, 1, 0xff]));
        assert!(bad_text.is_err());
    }
}
