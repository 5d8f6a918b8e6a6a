//! Sample values for the decoder's tests: every field filled, every field
//! left out, and every kind of event, signal and pushed value.

use protocol::{
    AgentInfo, CallAction, CallEndReason, CallInfo, CallPhase, Callback, Event, EventBody,
    FieldError, FieldProblem, FieldPush, FieldValue, FormOutcome, IceServer, PageInfo, Role,
    SdpType, SessionState, SessionSummary, ShareAction, ShareState, Signal,
};

pub(super) fn summary_full() -> SessionSummary {
    SessionSummary {
        id: "s_1".into(),
        site: "demo".into(),
        state: SessionState::Active,
        visitor_id: "v_1".into(),
        visitor_name: Some("Ann".into()),
        topic: Some("billing".into()),
        agent: Some(AgentInfo {
            id: "a_1".into(),
            name: "Ana".into(),
        }),
        page: Some(PageInfo {
            url: "https://shop.test/cart".into(),
            title: "Cart".into(),
        }),
        requested_at: 1_700_000_000_000,
        accepted_at: Some(1_700_000_001_000),
        ended_at: Some(1_700_000_002_000),
        last_seq: 42,
        share: ShareState::Active,
        call: Some(call_info_full()),
        callback: Some(Callback::Phone {
            phone: "+33 6 12 34 56 78".into(),
            at: Some(1_700_000_009_000),
        }),
        visitor_presence: None,
    }
}

pub(super) fn call_info_full() -> CallInfo {
    CallInfo {
        id: "c_1".into(),
        phase: CallPhase::Ended,
        started_by: Role::Agent,
        created_at: 1_700_000_003_000,
        answered_at: Some(1_700_000_004_000),
        ended_at: Some(1_700_000_005_000),
        end_reason: Some(CallEndReason::Failed),
    }
}

pub(super) fn summary_bare() -> SessionSummary {
    SessionSummary {
        id: "s_2".into(),
        site: "demo".into(),
        state: SessionState::Queued,
        visitor_id: "v_1".into(),
        visitor_name: None,
        topic: None,
        agent: None,
        page: None,
        requested_at: 5,
        accepted_at: None,
        ended_at: None,
        last_seq: 0,
        share: ShareState::Off,
        call: None,
        callback: None,
        visitor_presence: None,
    }
}

pub(super) fn events() -> Vec<Event> {
    let e = |seq, author, author_name: Option<&str>, body| Event {
        seq,
        at: 1_700_000_000_000 + seq as i64,
        author,
        author_name: author_name.map(String::from),
        body,
    };
    vec![
        e(
            1,
            Role::Visitor,
            None,
            EventBody::Requested {
                topic: Some("billing".into()),
            },
        ),
        e(2, Role::Visitor, None, EventBody::Requested { topic: None }),
        e(
            3,
            Role::Visitor,
            Some("Ann"),
            EventBody::Message {
                text: "Hi \"there\"\n✓".into(),
                client_id: Some("c1".into()),
            },
        ),
        e(
            4,
            Role::Agent,
            Some("Ana"),
            EventBody::Message {
                text: "Hello".into(),
                client_id: None,
            },
        ),
        e(
            5,
            Role::System,
            None,
            EventBody::AgentJoined {
                agent_id: "a_1".into(),
                name: "Ana".into(),
            },
        ),
        e(
            6,
            Role::Agent,
            None,
            EventBody::Share {
                action: ShareAction::Requested,
                by: Role::Agent,
            },
        ),
        e(
            7,
            Role::Visitor,
            None,
            EventBody::Share {
                action: ShareAction::Started,
                by: Role::Visitor,
            },
        ),
        e(
            8,
            Role::Visitor,
            None,
            EventBody::Share {
                action: ShareAction::Denied,
                by: Role::Visitor,
            },
        ),
        e(
            9,
            Role::Agent,
            None,
            EventBody::Share {
                action: ShareAction::Stopped,
                by: Role::Agent,
            },
        ),
        e(
            10,
            Role::Agent,
            None,
            EventBody::Highlight {
                node: 77,
                label: Some("here".into()),
            },
        ),
        e(
            11,
            Role::Agent,
            None,
            EventBody::Highlight {
                node: 78,
                label: None,
            },
        ),
        e(
            12,
            Role::Agent,
            Some("Ana"),
            EventBody::FormPush {
                push: 1,
                url: "https://shop.test/a".into(),
                fields: vec!["email".into(), "phone".into()],
            },
        ),
        e(
            13,
            Role::Visitor,
            None,
            EventBody::FormAnswer {
                push: 1,
                outcome: FormOutcome::Failed,
                applied: vec![],
                rejected: vec!["phone".into()],
                errors: vec![FieldError {
                    node: 4,
                    name: "email".into(),
                    reason: FieldProblem::Password,
                }],
            },
        ),
        e(
            14,
            Role::Agent,
            None,
            EventBody::PagePush {
                push: 2,
                url: "https://shop.test/b".into(),
                label: Some("Cart".into()),
            },
        ),
        e(
            15,
            Role::Visitor,
            None,
            EventBody::PageAnswer {
                push: 2,
                accepted: true,
            },
        ),
        e(
            16,
            Role::Visitor,
            None,
            EventBody::Ended { by: Role::Visitor },
        ),
        e(
            17,
            Role::Visitor,
            None,
            EventBody::Callback {
                callback: Callback::Message {
                    email: "ann@example.com".into(),
                },
            },
        ),
        e(
            18,
            Role::Visitor,
            None,
            EventBody::Callback {
                callback: Callback::Browser,
            },
        ),
        e(
            13,
            Role::Agent,
            Some("Ana"),
            EventBody::Call {
                call: "c_1".into(),
                action: CallAction::Started,
                by: Role::Agent,
                duration_ms: None,
                reason: None,
            },
        ),
        e(
            14,
            Role::System,
            None,
            EventBody::Call {
                call: "c_1".into(),
                action: CallAction::Ended,
                by: Role::Visitor,
                duration_ms: Some(133_000),
                reason: Some(CallEndReason::HungUp),
            },
        ),
    ]
}

pub(super) fn ice_servers() -> Vec<IceServer> {
    vec![
        IceServer {
            urls: vec![
                "turn:127.0.0.1:3478?transport=udp".into(),
                "stun:127.0.0.1:3478".into(),
            ],
            username: Some("1700000600:s_1".into()),
            credential: Some("c2VjcmV0".into()),
        },
        IceServer {
            urls: vec!["stun:stun.example.org".into()],
            username: None,
            credential: None,
        },
    ]
}

pub(super) fn signals() -> Vec<Signal> {
    let mut all: Vec<Signal> = [
        SdpType::Offer,
        SdpType::Answer,
        SdpType::Pranswer,
        SdpType::Rollback,
    ]
    .into_iter()
    .map(|sdp_type| Signal::Description {
        sdp_type,
        sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n".into(),
    })
    .collect();
    all.push(Signal::Candidate {
        candidate: "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host".into(),
        sdp_mid: Some("0".into()),
        sdp_mline_index: Some(0),
        username_fragment: Some("abcd".into()),
    });
    all.push(Signal::Candidate {
        candidate: "candidate:2 1 udp 1 127.0.0.1 50001 typ relay".into(),
        sdp_mid: None,
        sdp_mline_index: None,
        username_fragment: None,
    });
    all.push(Signal::EndOfCandidates);
    all
}

pub(super) fn pushes() -> Vec<FieldPush> {
    let p = |node, name: &str, value| FieldPush {
        node,
        name: name.into(),
        value,
    };
    vec![
        p(1, "email", FieldValue::Text("a@b.c".into())),
        p(2, "news", FieldValue::Flag(true)),
        p(3, "tags", FieldValue::List(vec!["x".into(), "y".into()])),
        p(4, "empty", FieldValue::List(vec![])),
    ]
}
