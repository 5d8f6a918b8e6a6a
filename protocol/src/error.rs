//! Stable error codes. Clients branch on these strings, so a code is never
//! renamed or reused; new codes are added at the end and documented.

use serde::{Deserialize, Serialize};

/// Why a frame was refused: the `code` of an `error` frame, and of REST errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The frame is not a JSON object.
    MalformedJson,
    /// `type` names no message this server knows.
    UnknownType,
    /// `v` is missing or not a version this server speaks.
    UnsupportedVersion,
    /// The type is known but its fields are wrong (missing, wrong type, out of range).
    InvalidFrame,
    /// The frame is larger than `limits::MAX_FRAME_BYTES`. The connection stays open.
    FrameTooLarge,
    /// The first frame must be `hello`; anything else before it is refused.
    HelloRequired,
    /// The token is unknown, forged, expired or for another site. The server closes
    /// the connection with [`CloseCode::BadToken`].
    BadToken,
    /// The caller may not do this (a visitor touching another session, an agent
    /// acting on a session that is not theirs, a visitor-only message from an agent…).
    Forbidden,
    /// No such session.
    UnknownSession,
    /// The session has ended; nothing more can be added to it.
    SessionEnded,
    /// The visitor already has an open session.
    SessionOpen,
    /// Another agent took the request first, or it was cancelled.
    AlreadyTaken,
    /// The agent is at their capacity of concurrent sessions.
    AtCapacity,
    /// Too many frames too quickly. The frame was not applied.
    RateLimited,
    /// Something broke on the server; the frame was not applied and may be retried.
    Internal,
    /// A co-browse frame or action while the visitor is not sharing their screen.
    NotSharing,
    /// A transfer named an agent who is offline, away or not connected.
    AgentUnavailable,
    /// `identify` carried a proof that was refused: an identity token that
    /// is badly signed, expired or for another user, or a hash that does not
    /// sign its id or that the site no longer accepts. The identity was
    /// kept, marked unverified.
    IdentityNotVerified,
    /// A call frame names no call of this session in the state it needs
    /// (signaling before accept or after hang-up, an old call id…).
    NoCall,
    /// Voice is turned off for this site, or the visitor may not start calls.
    VoiceDisabled,
    /// The session already has a ringing or active call.
    CallInProgress,
    /// A page push to another origin than the visitor's current page.
    CrossOrigin,
    /// An answer to a push the server does not know or already has an answer for.
    UnknownPush,
    /// A wrap-up for a session that has not ended yet.
    SessionNotEnded,
    /// `help.request` while the site's waiting line and its overflow are both
    /// full (see `--max-waiting-per-site`). Nothing was created; the visitor
    /// may try again later.
    QueueFull,
}

impl ErrorCode {
    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::UnknownType => "unknown_type",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::InvalidFrame => "invalid_frame",
            ErrorCode::FrameTooLarge => "frame_too_large",
            ErrorCode::HelloRequired => "hello_required",
            ErrorCode::BadToken => "bad_token",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::UnknownSession => "unknown_session",
            ErrorCode::SessionEnded => "session_ended",
            ErrorCode::SessionOpen => "session_open",
            ErrorCode::AlreadyTaken => "already_taken",
            ErrorCode::AtCapacity => "at_capacity",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::NotSharing => "not_sharing",
            ErrorCode::AgentUnavailable => "agent_unavailable",
            ErrorCode::IdentityNotVerified => "identity_not_verified",
            ErrorCode::NoCall => "no_call",
            ErrorCode::VoiceDisabled => "voice_disabled",
            ErrorCode::CallInProgress => "call_in_progress",
            ErrorCode::CrossOrigin => "cross_origin",
            ErrorCode::UnknownPush => "unknown_push",
            ErrorCode::SessionNotEnded => "session_not_ended",
            ErrorCode::QueueFull => "queue_full",
        }
    }
}

/// WebSocket close codes the server uses (4000–4999 is the application range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u16)]
pub enum CloseCode {
    /// Normal close (RFC 6455).
    Normal = 1000,
    /// Frame beyond the hard transport limit (RFC 6455 "message too big").
    TooBig = 1009,
    /// The server is stopping (a restart or a deploy; RFC 6455 "service
    /// restart"): reconnect at once, to any node, and resume from the last seq.
    Restart = 1012,
    /// Authentication failed; do not retry with the same token.
    BadToken = 4001,
    /// The agent's token was revoked while the socket was open: logout, a
    /// password change, or the account was disabled or removed. Sign in again.
    Revoked = 4003,
    /// The agent's token reached its expiry while the socket was open. Sign in again.
    Expired = 4004,
    /// The client fell too far behind; reconnect and resume from the last seq.
    Lagging = 4008,
    /// The same client opened too many connections or sent too many bad frames.
    Abuse = 4029,
    /// The visitor called `shutdown()` or the agent logged out elsewhere.
    Replaced = 4009,
    /// No successful `hello` within the deadline after the upgrade; reconnect.
    HelloTimeout = 4408,
    /// Nothing came from the client (no frame, no pong) for the idle
    /// timeout; the network probably dropped it. Reconnect and resume.
    Idle = 4410,
}

impl CloseCode {
    /// The number sent in the WebSocket close frame.
    pub fn code(self) -> u16 {
        self as u16
    }
}
