//! Reading the call family's values: a call's state, its ICE servers and
//! WebRTC signaling, and the call events of the log.

use protocol::{CallAction, CallEndReason, CallInfo, CallPhase, IceServer, Role, SdpType, Signal};

use super::source::{Source, int, pick, text, uint};

pub(super) fn call_phase(s: &str) -> Option<CallPhase> {
    let all = [CallPhase::Ringing, CallPhase::Active, CallPhase::Ended];
    pick(s, &all, |p| match p {
        CallPhase::Ringing => "ringing",
        CallPhase::Active => "active",
        CallPhase::Ended => "ended",
    })
}

pub(super) fn end_reason(s: &str) -> Option<CallEndReason> {
    let all = [
        CallEndReason::HungUp,
        CallEndReason::Declined,
        CallEndReason::Cancelled,
        CallEndReason::NoAnswer,
        CallEndReason::Failed,
        CallEndReason::SessionEnded,
        CallEndReason::Transferred,
        CallEndReason::Interrupted,
    ];
    pick(s, &all, CallEndReason::as_str)
}

pub(super) fn call_info<S: Source>(v: &S) -> Option<CallInfo> {
    Some(CallInfo {
        id: text(v, "id")?,
        phase: call_phase(&text(v, "phase")?)?,
        started_by: Role::parse(&text(v, "started_by")?)?,
        created_at: int(v, "created_at").unwrap_or(0),
        answered_at: int(v, "answered_at"),
        ended_at: int(v, "ended_at"),
        end_reason: text(v, "end_reason").and_then(|r| end_reason(&r)),
    })
}

pub(super) fn ice_server<S: Source>(v: &S) -> Option<IceServer> {
    let urls = v.get("urls")?;
    Some(IceServer {
        // RTCIceServer allows one URL as a plain string.
        urls: match urls.string() {
            Some(one) => vec![one],
            None => urls.items().iter().filter_map(|u| u.string()).collect(),
        },
        username: text(v, "username"),
        credential: text(v, "credential"),
    })
}

pub(super) fn signal<S: Source>(v: &S) -> Option<Signal> {
    Some(match text(v, "kind")?.as_str() {
        "description" => Signal::Description {
            sdp_type: pick(
                &text(v, "sdp_type")?,
                &[
                    SdpType::Offer,
                    SdpType::Answer,
                    SdpType::Pranswer,
                    SdpType::Rollback,
                ],
                voice::peer::sdp_type_name,
            )?,
            sdp: text(v, "sdp").unwrap_or_default(),
        },
        "candidate" => Signal::Candidate {
            candidate: text(v, "candidate")?,
            sdp_mid: text(v, "sdp_mid"),
            sdp_mline_index: uint(v, "sdp_mline_index").map(|n| n as u16),
            username_fragment: text(v, "username_fragment"),
        },
        "end_of_candidates" => Signal::EndOfCandidates,
        _ => return None,
    })
}

pub(super) fn call_action(s: &str) -> Option<CallAction> {
    let all = [CallAction::Started, CallAction::Answered, CallAction::Ended];
    pick(s, &all, |a| match a {
        CallAction::Started => "started",
        CallAction::Answered => "answered",
        CallAction::Ended => "ended",
    })
}
