//! The envelope around every frame and the decoder of client text frames.
//!
//! Each frame's own fields live in the enums of `client_frame.rs` and
//! `server_frame.rs`; this file holds what every frame shares (`v`, `rid`)
//! and the one entry point that turns untrusted text into a checked frame.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::client_frame::{CLIENT_TYPES, ClientFrame};
use crate::limits::MAX_FRAME_BYTES;
use crate::server_frame::ServerFrame;
use crate::{ErrorCode, VERSION};

/// A frame from a client (widget or console) with its envelope fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientEnvelope {
    /// Protocol version; anything but [`VERSION`] gets `unsupported_version`.
    pub v: u16,
    /// Optional request id; an `error` caused by this frame echoes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rid: Option<u64>,
    /// The message: its `type` and fields, flat beside `v` and `rid`.
    #[serde(flatten)]
    pub frame: ClientFrame,
}

impl ClientEnvelope {
    /// Wraps `frame` in this build's version, without a request id.
    pub fn new(frame: ClientFrame) -> Self {
        ClientEnvelope {
            v: VERSION,
            rid: None,
            frame,
        }
    }

    /// The text frame to send.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("client frames always serialise")
    }
}

/// Why a client frame was refused, with the request id when it could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    /// The code to answer with in the `error` frame.
    pub code: ErrorCode,
    /// What was wrong, for the `error` frame's `message`.
    pub message: String,
    /// The frame's `rid`; `None` when it had none or could not be read.
    pub rid: Option<u64>,
}

/// Just enough of a frame to classify what is wrong with it.
#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(default)]
    v: Option<serde_json::Value>,
    #[serde(default, borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(default)]
    rid: Option<serde_json::Value>,
}

/// Parses a client text frame, telling malformed JSON, an unsupported
/// version, an unknown type and invalid fields apart.
pub fn decode_client(text: &str) -> Result<ClientEnvelope, DecodeError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(DecodeError {
            code: ErrorCode::FrameTooLarge,
            message: format!(
                "frame is {} bytes; the limit is {MAX_FRAME_BYTES}",
                text.len()
            ),
            rid: None,
        });
    }
    let probe: Probe = serde_json::from_str(text).map_err(|e| DecodeError {
        code: ErrorCode::MalformedJson,
        message: format!("not a JSON object: {e}"),
        rid: None,
    })?;
    let rid = probe.rid.as_ref().and_then(|r| r.as_u64());
    let err = |code, message: String| DecodeError { code, message, rid };
    match probe.v.as_ref().and_then(|v| v.as_u64()) {
        Some(v) if v == VERSION as u64 => {}
        Some(v) => {
            return Err(err(
                ErrorCode::UnsupportedVersion,
                format!("version {v} is not supported; use {VERSION}"),
            ));
        }
        None => {
            return Err(err(
                ErrorCode::UnsupportedVersion,
                format!("missing protocol version \"v\"; use {VERSION}"),
            ));
        }
    }
    let kind = probe
        .kind
        .ok_or_else(|| err(ErrorCode::InvalidFrame, "missing \"type\"".into()))?;
    if !CLIENT_TYPES.contains(&kind.as_ref()) {
        let shown: String = kind.chars().take(40).collect();
        return Err(err(
            ErrorCode::UnknownType,
            format!("unknown message type {shown:?}"),
        ));
    }
    let env: ClientEnvelope = serde_json::from_str(text)
        .map_err(|e| err(ErrorCode::InvalidFrame, format!("invalid {kind}: {e}")))?;
    env.frame
        .validate()
        .map_err(|m| err(ErrorCode::InvalidFrame, m))?;
    Ok(env)
}

/// A frame from the server with its envelope fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerEnvelope {
    /// Protocol version: [`VERSION`].
    pub v: u16,
    /// The `rid` of the client frame this answers; absent for frames no request asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rid: Option<u64>,
    /// The message: its `type` and fields, flat beside `v` and `rid`.
    #[serde(flatten)]
    pub frame: ServerFrame,
}

impl ServerEnvelope {
    /// A frame no request asked for: this build's version, no `rid`.
    pub fn new(frame: ServerFrame) -> Self {
        ServerEnvelope {
            v: VERSION,
            rid: None,
            frame,
        }
    }

    /// A frame answering the client frame that carried `rid`.
    pub fn reply(rid: Option<u64>, frame: ServerFrame) -> Self {
        ServerEnvelope {
            v: VERSION,
            rid,
            frame,
        }
    }

    /// The text frame to send.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("server frames always serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_chat_send() {
        let env = ClientEnvelope {
            v: 1,
            rid: Some(7),
            frame: ClientFrame::ChatSend {
                session: "s1".into(),
                client_id: Some("c1".into()),
                text: "Hello".into(),
            },
        };
        let json = env.to_json();
        assert!(json.contains("\"type\":\"chat.send\""), "{json}");
        assert_eq!(decode_client(&json).unwrap(), env);
    }

    #[test]
    fn classifies_bad_frames() {
        let code = |t: &str| decode_client(t).unwrap_err().code;
        assert_eq!(code("{not json"), ErrorCode::MalformedJson);
        assert_eq!(code("[1,2]"), ErrorCode::MalformedJson);
        assert_eq!(
            code(r#"{"v":2,"type":"hello"}"#),
            ErrorCode::UnsupportedVersion
        );
        assert_eq!(code(r#"{"type":"hello"}"#), ErrorCode::UnsupportedVersion);
        assert_eq!(code(r#"{"v":1,"type":"fly"}"#), ErrorCode::UnknownType);
        assert_eq!(
            code(r#"{"v":1,"type":"chat.send","session":"s"}"#),
            ErrorCode::InvalidFrame
        );
        let long = "x".repeat(crate::limits::MAX_MESSAGE_CHARS + 1);
        let frame = format!(r#"{{"v":1,"type":"chat.send","session":"s","text":"{long}"}}"#);
        assert_eq!(code(&frame), ErrorCode::InvalidFrame);
        let huge = format!(
            r#"{{"v":1,"type":"chat.send","session":"s","text":"{}"}}"#,
            "y".repeat(70_000)
        );
        assert_eq!(code(&huge), ErrorCode::FrameTooLarge);
    }

    #[test]
    fn rid_is_echoed_in_errors() {
        let e = decode_client(r#"{"v":1,"rid":42,"type":"nope"}"#).unwrap_err();
        assert_eq!(e.rid, Some(42));
    }
}
