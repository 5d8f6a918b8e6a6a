//! The decoder against the protocol's own serde: each frame the widget
//! handles is written by `protocol` and must read back as the same values.

use protocol::cobrowse::{Highlight, Pointer};
use protocol::{
    CallInfo, CallPhase, ErrorCode, Receipts, Role, ServerEnvelope, ServerFrame, ShareState,
    Unavailable,
};
use serde_json::Value;

use super::decode_samples::{
    call_info_full, events, ice_servers, pushes, signals, summary_bare, summary_full,
};
use super::incoming::{Incoming, read};
use crate::state::Place;

/// Writes `frame` with the protocol's serde, reads it back by hand.
fn round(frame: ServerFrame, rid: Option<u64>) -> Option<(Option<u64>, Incoming)> {
    let json = ServerEnvelope::reply(rid, frame).to_json();
    read(&serde_json::from_str::<Value>(&json).unwrap())
}

#[test]
fn every_frame_the_widget_handles_reads_back_as_written() {
    let r = Receipts {
        visitor_delivered: 1,
        visitor_read: 2,
        agent_delivered: 3,
        agent_read: 4,
    };
    // A call with only the fields a ringing call has.
    let ringing = CallInfo {
        phase: CallPhase::Ringing,
        started_by: Role::Visitor,
        answered_at: None,
        ended_at: None,
        end_reason: None,
        ..call_info_full()
    };
    let cases: Vec<(ServerFrame, Incoming)> = vec![
        (
            ServerFrame::Welcome {
                role: Role::Visitor,
                server_time: 9,
                visitor_id: Some("v_1".into()),
                token: Some("tok".into()),
                agent: None,
                presence: None,
                sessions: vec![summary_full(), summary_bare()],
                dispositions: vec![],
            },
            Incoming::Welcome {
                visitor_id: Some("v_1".into()),
                token: Some("tok".into()),
                sessions: vec![summary_full(), summary_bare()],
            },
        ),
        (
            ServerFrame::QueuePosition {
                session: "s_2".into(),
                position: 3,
                agents_online: 1,
                eta_secs: Some(40),
                unavailable: Some(Unavailable::LongWait),
            },
            Incoming::QueuePosition {
                session: "s_2".into(),
                place: Place {
                    position: 3,
                    eta_secs: Some(40),
                    unavailable: Some(Unavailable::LongWait),
                },
            },
        ),
        (
            ServerFrame::QueuePosition {
                session: "s_2".into(),
                position: 1,
                agents_online: 0,
                eta_secs: None,
                unavailable: Some(Unavailable::NoAgents),
            },
            Incoming::QueuePosition {
                session: "s_2".into(),
                place: Place {
                    position: 1,
                    eta_secs: None,
                    unavailable: Some(Unavailable::NoAgents),
                },
            },
        ),
        (
            ServerFrame::Session {
                session: summary_full(),
            },
            Incoming::Session(Box::new(summary_full())),
        ),
        (
            ServerFrame::History {
                session: "s_1".into(),
                events: events(),
                receipts: r,
                more: true,
            },
            Incoming::History {
                session: "s_1".into(),
                events: events(),
                receipts: r,
                more: true,
            },
        ),
        (
            ServerFrame::Typing {
                session: "s_1".into(),
                author: Role::Agent,
                active: true,
            },
            Incoming::Typing {
                session: "s_1".into(),
                author: Role::Agent,
                active: true,
            },
        ),
        (
            ServerFrame::Receipts {
                session: "s_1".into(),
                receipts: r,
            },
            Incoming::Receipts {
                session: "s_1".into(),
                receipts: r,
            },
        ),
        (
            ServerFrame::Cobrowse {
                session: "s_1".into(),
                state: ShareState::Requested,
            },
            Incoming::Cobrowse {
                session: "s_1".into(),
                state: ShareState::Requested,
            },
        ),
        (
            ServerFrame::CobrowseKeyframeRequest {
                session: "s_1".into(),
            },
            Incoming::KeyframeRequest {
                session: "s_1".into(),
            },
        ),
        (
            ServerFrame::Pointer(Pointer {
                session: "s_1".into(),
                node: Some(12),
                x: 0.25,
                y: 0.5,
            }),
            Incoming::Pointer {
                session: "s_1".into(),
                node: Some(12),
                x: 0.25,
                y: 0.5,
            },
        ),
        (
            ServerFrame::Pointer(Pointer {
                session: "s_1".into(),
                node: None,
                x: 0.0,
                y: 0.0,
            }),
            Incoming::Pointer {
                session: "s_1".into(),
                node: None,
                x: 0.0,
                y: 0.0,
            },
        ),
        (
            ServerFrame::Highlight(Highlight {
                session: "s_1".into(),
                node: 9,
                label: Some("Click here".into()),
            }),
            Incoming::Highlight {
                session: "s_1".into(),
                node: 9,
                label: Some("Click here".into()),
            },
        ),
        (
            ServerFrame::HighlightClear {
                session: "s_1".into(),
            },
            Incoming::HighlightClear {
                session: "s_1".into(),
            },
        ),
        (
            ServerFrame::Call {
                session: "s_1".into(),
                call: call_info_full(),
            },
            Incoming::Call {
                session: "s_1".into(),
                call: call_info_full(),
            },
        ),
        (
            ServerFrame::Call {
                session: "s_1".into(),
                call: ringing.clone(),
            },
            Incoming::Call {
                session: "s_1".into(),
                call: ringing,
            },
        ),
        (
            ServerFrame::CallCredentials {
                session: "s_1".into(),
                call: "c_1".into(),
                ice_servers: ice_servers(),
                expires_at: 1_700_000_600_000,
            },
            Incoming::CallCredentials {
                session: "s_1".into(),
                call: "c_1".into(),
                ice_servers: ice_servers(),
                expires_at: 1_700_000_600_000,
            },
        ),
        (
            ServerFrame::CallMute {
                session: "s_1".into(),
                call: "c_1".into(),
                from: Role::Agent,
                muted: true,
            },
            Incoming::CallMute {
                session: "s_1".into(),
                call: "c_1".into(),
                muted: true,
            },
        ),
        (
            ServerFrame::FormFieldsRequest {
                session: "s_1".into(),
            },
            Incoming::FormFieldsRequest {
                session: "s_1".into(),
            },
        ),
        (
            ServerFrame::FormPush {
                session: "s_1".into(),
                push: 3,
                url: "https://shop.test/a".into(),
                fields: pushes(),
                by: Some("Ana".into()),
            },
            Incoming::FormPush {
                session: "s_1".into(),
                push: 3,
                url: "https://shop.test/a".into(),
                fields: pushes(),
                by: Some("Ana".into()),
            },
        ),
        (
            ServerFrame::PagePush {
                session: "s_1".into(),
                push: 4,
                url: "https://shop.test/b".into(),
                label: None,
                by: None,
            },
            Incoming::PagePush {
                session: "s_1".into(),
                push: 4,
                url: "https://shop.test/b".into(),
                label: None,
                by: None,
            },
        ),
        (
            ServerFrame::Error {
                code: ErrorCode::SessionOpen,
                message: "already open".into(),
                session: Some("s_1".into()),
            },
            Incoming::Error {
                code: "session_open".into(),
                message: "already open".into(),
                session: Some("s_1".into()),
            },
        ),
    ];
    for (frame, want) in cases {
        let json = ServerEnvelope::new(frame.clone()).to_json();
        assert_eq!(round(frame, None), Some((None, want)), "{json}");
    }
    for signal in signals() {
        let frame = ServerFrame::CallSignal {
            session: "s_1".into(),
            call: "c_1".into(),
            from: Role::Agent,
            signal: signal.clone(),
        };
        let want = Incoming::CallSignal {
            session: "s_1".into(),
            call: "c_1".into(),
            signal,
        };
        assert_eq!(round(frame, None), Some((None, want)));
    }
    for e in events() {
        let frame = ServerFrame::Event {
            session: "s_1".into(),
            event: e.clone(),
        };
        assert_eq!(
            round(frame, None),
            Some((
                None,
                Incoming::Event {
                    session: "s_1".into(),
                    event: e
                }
            ))
        );
    }
}

#[test]
fn rid_is_read_and_unknown_frames_are_skipped() {
    let frame = ServerFrame::HighlightClear {
        session: "s_1".into(),
    };
    assert_eq!(round(frame, Some(7)).unwrap().0, Some(7));
    let queue = ServerFrame::Queue {
        server_time: 1,
        items: vec![],
        total: 0,
    };
    assert_eq!(round(queue, None), None, "agent-only frame");
    let odd: Value = serde_json::from_str(r#"{"v":1,"type":"event","session":"s","event":{"seq":1,"at":1,"author":"agent","kind":"teleport"}}"#).unwrap();
    assert_eq!(read(&odd), None, "an event kind from a newer server");
    assert_eq!(read(&Value::Null), None);
    let every_error = [
        ErrorCode::BadToken,
        ErrorCode::RateLimited,
        ErrorCode::NotSharing,
        ErrorCode::UnknownSession,
        ErrorCode::NoCall,
        ErrorCode::VoiceDisabled,
        ErrorCode::CallInProgress,
    ];
    for code in every_error {
        let f = ServerFrame::Error {
            code,
            message: "m".into(),
            session: None,
        };
        match round(f, None) {
            Some((_, Incoming::Error { code: c, .. })) => assert_eq!(c, code.as_str()),
            other => panic!("{other:?}"),
        }
    }
}
