//! Voice calls: the call's lifecycle, the ICE servers handed to each side,
//! and the WebRTC signaling that travels over the session's WebSocket.
//!
//! Negotiation follows the "perfect negotiation" pattern: either side may
//! send an offer at any time; on a collision the visitor is the polite peer
//! (it rolls back its own offer) and the agent the impolite one.

use serde::{Deserialize, Serialize};

use crate::limits::{MAX_CANDIDATE_CHARS, MAX_SDP_BYTES, MAX_SHORT_CHARS, short_len};
use crate::{Millis, Role};

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CallPhase {
    /// One side started it; the other has not answered.
    Ringing,
    /// Both agreed; media is (being) negotiated.
    Active,
    /// Over; `end_reason` says why.
    Ended,
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CallEndReason {
    /// One side hung up an active call.
    HungUp,
    /// The callee said no.
    Declined,
    /// The caller gave up while it was ringing.
    Cancelled,
    /// Nobody answered before the ring timeout.
    NoAnswer,
    /// No network path was found (no ICE candidates pair, bad TURN credentials…).
    Failed,
    /// The session itself ended.
    SessionEnded,
    /// The session changed agent (a transfer to a colleague or to a queue):
    /// the call was with the agent who handed it on.
    Transferred,
    /// The server stopped (a crash or a restart) while the call rang or
    /// was connected; the restarted server ended it.
    Interrupted,
}

impl CallEndReason {
    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            CallEndReason::HungUp => "hung_up",
            CallEndReason::Declined => "declined",
            CallEndReason::Cancelled => "cancelled",
            CallEndReason::NoAnswer => "no_answer",
            CallEndReason::Failed => "failed",
            CallEndReason::SessionEnded => "session_ended",
            CallEndReason::Transferred => "transferred",
            CallEndReason::Interrupted => "interrupted",
        }
    }
}

/// A call as both sides see it; sent in full on every change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallInfo {
    /// The server's id for the call (`c_…`), which call frames quote.
    pub id: String,
    /// Ringing, active or ended.
    pub phase: CallPhase,
    /// The caller's side: `visitor` or `agent`.
    pub started_by: Role,
    /// When it started ringing (ms since the epoch).
    pub created_at: Millis,
    /// When the callee accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<Millis>,
    /// When it ended (ms since the epoch); absent until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Millis>,
    /// Why it ended; absent until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<CallEndReason>,
}

/// One entry of RTCConfiguration.iceServers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    /// `stun:`, `turn:` or `turns:` URLs of one server.
    pub urls: Vec<String>,
    /// The TURN username (for the embedded server `<expiry unix seconds>:<session
    /// id>:<role>`); absent for a server that needs none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The TURN password (for the embedded server an HMAC of `username`);
    /// absent for a server that needs none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// RTCSessionDescription.type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SdpType {
    /// An offer, from either side (perfect negotiation).
    Offer,
    /// The answer to an offer.
    Answer,
    /// A provisional answer.
    Pranswer,
    /// Undoes the sender's own pending offer, as the polite side does on a collision.
    Rollback,
}

/// One signaling message, relayed to the other side unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// A local description (offer or answer), as from `setLocalDescription()`.
    Description {
        /// Offer, answer, provisional answer or rollback.
        sdp_type: SdpType,
        /// The SDP text (≤ 16 KiB); empty for a rollback.
        #[serde(default)]
        sdp: String,
    },
    /// A trickled ICE candidate (RTCIceCandidateInit).
    Candidate {
        /// The `candidate:` line (≤ 1,024 characters).
        candidate: String,
        /// The media stream id the candidate is for (≤ 200 characters); absent when unknown.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdp_mid: Option<String>,
        /// The index of the SDP media section it is for; absent when unknown.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdp_mline_index: Option<u16>,
        /// The ICE username fragment it belongs to (≤ 200 characters); absent when unknown.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        username_fragment: Option<String>,
    },
    /// The sender has gathered all its candidates.
    EndOfCandidates,
}

/// What happened to a call, for the session's log (transcript).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CallAction {
    /// The caller started it ringing.
    Started,
    /// The callee accepted it.
    Answered,
    /// It ended; the event carries `duration_ms` and `reason`.
    Ended,
}

impl Signal {
    /// Checks the SDP and candidate lines against their limits.
    pub(crate) fn validate(&self) -> Result<(), String> {
        match self {
            Signal::Description { sdp, .. } if sdp.len() > MAX_SDP_BYTES => Err(format!(
                "sdp is {} bytes; the limit is {MAX_SDP_BYTES}",
                sdp.len()
            )),
            Signal::Candidate {
                candidate,
                sdp_mid,
                username_fragment,
                ..
            } => {
                short_len("candidate", candidate, MAX_CANDIDATE_CHARS)?;
                for (name, v) in [
                    ("sdp_mid", sdp_mid),
                    ("username_fragment", username_fragment),
                ] {
                    if let Some(v) = v {
                        short_len(name, v, MAX_SHORT_CHARS)?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_are_tagged_by_kind() {
        let s = Signal::Candidate {
            candidate: "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host".into(),
            sdp_mid: Some("0".into()),
            sdp_mline_index: Some(0),
            username_fragment: None,
        };
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["kind"], "candidate");
        assert_eq!(serde_json::from_value::<Signal>(json).unwrap(), s);
        let d: Signal =
            serde_json::from_str(r#"{"kind":"description","sdp_type":"offer","sdp":"v=0"}"#)
                .unwrap();
        assert!(matches!(
            d,
            Signal::Description {
                sdp_type: SdpType::Offer,
                ..
            }
        ));
    }
}
