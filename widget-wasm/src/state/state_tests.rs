//! The conversation's logic, tested natively: optimistic messages and their
//! echo, de-duplication, ordering, receipts, adopting and dismissing
//! sessions, the place in line, sharing and calls.

use protocol::{
    AgentInfo, CallInfo, CallPhase, Callback, Event, EventBody, Receipts, Role, SessionState,
    SessionSummary, ShareAction, ShareState, Unavailable,
};

use super::{Applied, Conversation, Delivery, ItemBody, Phase, Place, Status};

fn msg(seq: u64, author: Role, text: &str, client_id: Option<&str>) -> Event {
    Event {
        seq,
        at: 1000 + seq as i64,
        author,
        author_name: (author == Role::Agent).then(|| "Alex".to_string()),
        body: EventBody::Message {
            text: text.into(),
            client_id: client_id.map(Into::into),
        },
    }
}

fn summary(state: SessionState) -> SessionSummary {
    SessionSummary {
        id: "s1".into(),
        site: "demo".into(),
        state,
        visitor_id: "v1".into(),
        visitor_name: None,
        topic: None,
        agent: (state != SessionState::Queued).then(|| AgentInfo {
            id: "a1".into(),
            name: "Alex".into(),
        }),
        page: None,
        requested_at: 0,
        accepted_at: None,
        ended_at: None,
        last_seq: 2,
        share: Default::default(),
        call: None,
        callback: None,
        visitor_presence: None,
    }
}

fn requested() -> Conversation {
    let mut c = Conversation::default();
    c.request_help(
        Some("billing".into()),
        "My card was charged twice".into(),
        "c0".into(),
        5,
    );
    c
}

#[test]
fn first_message_is_confirmed_by_the_request_echo() {
    let mut c = requested();
    assert_eq!(c.phase, Phase::Queued);
    assert!(c.apply_summary(&summary(SessionState::Queued)));
    assert!(c.request.is_none());
    let requested = Event {
        seq: 1,
        at: 1,
        author: Role::Visitor,
        author_name: None,
        body: EventBody::Requested {
            topic: Some("billing".into()),
        },
    };
    assert_eq!(c.apply_event("s1", &requested), Applied::Other);
    assert_eq!(
        c.apply_event(
            "s1",
            &msg(2, Role::Visitor, "My card was charged twice", None)
        ),
        Applied::Message { index: 0 }
    );
    assert_eq!(c.transcript.items.len(), 1);
    assert_eq!(c.transcript.items[0].key, "c:c0");
    assert_eq!(c.transcript.items[0].seq, Some(2));
    assert_eq!(
        c.transcript.delivery(&c.transcript.items[0]),
        Delivery::Sent
    );
}

#[test]
fn echo_replaces_the_optimistic_copy_even_after_later_events() {
    let mut c = requested();
    c.apply_summary(&summary(SessionState::Queued));
    c.apply_event(
        "s1",
        &msg(2, Role::Visitor, "My card was charged twice", None),
    );
    c.transcript.queue_message("c1".into(), "hello?".into(), 10);
    assert_eq!(
        c.transcript.outbox().collect::<Vec<_>>(),
        vec![("c1", "hello?")]
    );
    // An agent message lands before our echo: the pending one stays last.
    c.apply_event("s1", &msg(3, Role::Agent, "Hi!", None));
    assert_eq!(c.transcript.items.last().unwrap().key, "c:c1");
    c.apply_event("s1", &msg(4, Role::Visitor, "hello?", Some("c1")));
    let keys: Vec<_> = c.transcript.items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["c:c0", "s:3", "c:c1"]);
    assert_eq!(c.transcript.outbox().count(), 0);
    assert_eq!(c.transcript.last_seq, 4);
    assert_eq!(c.transcript.last_agent_seq, 3);
}

#[test]
fn history_overlap_is_ignored() {
    let mut c = requested();
    c.apply_summary(&summary(SessionState::Active));
    assert_eq!(c.phase, Phase::Active);
    c.apply_event("s1", &msg(3, Role::Agent, "Hi!", None));
    assert_eq!(
        c.apply_event("s1", &msg(3, Role::Agent, "Hi!", None)),
        Applied::Duplicate
    );
    assert_eq!(
        c.apply_event("other", &msg(4, Role::Agent, "?", None)),
        Applied::Duplicate
    );
    assert_eq!(c.transcript.items.len(), 2);
}

#[test]
fn out_of_order_history_is_sorted() {
    let mut c = Conversation::default();
    c.apply_summary(&summary(SessionState::Active));
    c.apply_event("s1", &msg(5, Role::Agent, "five", None));
    c.apply_event("s1", &msg(3, Role::Agent, "three", None));
    let seqs: Vec<_> = c.transcript.items.iter().map(|i| i.seq).collect();
    assert_eq!(seqs, [Some(3), Some(5)]);
}

#[test]
fn receipts_drive_delivery_and_never_go_back() {
    let mut c = Conversation::default();
    c.apply_summary(&summary(SessionState::Active));
    c.apply_event("s1", &msg(3, Role::Visitor, "a", Some("x")));
    let r = Receipts {
        agent_delivered: 3,
        ..Default::default()
    };
    assert!(c.apply_receipts("s1", &r));
    assert_eq!(
        c.transcript.delivery(&c.transcript.items[0]),
        Delivery::Delivered
    );
    let r = Receipts {
        agent_delivered: 3,
        agent_read: 3,
        ..Default::default()
    };
    c.apply_receipts("s1", &r);
    assert_eq!(
        c.transcript.delivery(&c.transcript.items[0]),
        Delivery::Read
    );
    assert!(!c.apply_receipts("s1", &Receipts::default()));
    assert_eq!(
        c.transcript.delivery(&c.transcript.items[0]),
        Delivery::Read
    );
}

#[test]
fn agent_joined_activates_and_ended_fails_pending() {
    let mut c = requested();
    c.apply_summary(&summary(SessionState::Queued));
    let joined = Event {
        seq: 3,
        at: 3,
        author: Role::System,
        author_name: None,
        body: EventBody::AgentJoined {
            agent_id: "a1".into(),
            name: "Alex".into(),
        },
    };
    c.apply_event("s1", &joined);
    assert_eq!(
        c.status(),
        Status {
            phase: Phase::Active,
            position: None,
            eta_secs: None,
            unavailable: None,
            callback: None,
            agent: Some("Alex".into())
        }
    );
    c.transcript.queue_message("c2".into(), "bye".into(), 9);
    let ended = Event {
        seq: 4,
        at: 4,
        author: Role::Agent,
        author_name: None,
        body: EventBody::Ended { by: Role::Agent },
    };
    c.apply_event("s1", &ended);
    assert_eq!(c.phase, Phase::Ended);
    let pending = c.transcript.items.iter().find(|i| i.key == "c:c2").unwrap();
    assert_eq!(c.transcript.delivery(pending), Delivery::Failed);
    assert_eq!(c.transcript.outbox().count(), 0);
}

#[test]
fn adopts_a_session_opened_elsewhere_only_when_free() {
    let mut c = Conversation::default();
    assert!(c.apply_summary(&summary(SessionState::Queued)));
    assert_eq!(c.session.as_deref(), Some("s1"));
    let mut other = summary(SessionState::Queued);
    other.id = "s2".into();
    assert!(!c.apply_summary(&other), "busy with s1");
    c.apply_summary(&summary(SessionState::Ended));
    assert_eq!(c.phase, Phase::Ended);
    assert!(c.apply_summary(&other), "s1 is over: follow s2");
    assert_eq!(c.session.as_deref(), Some("s2"));
    assert!(c.transcript.items.is_empty());
}

#[test]
fn a_cancelled_session_stays_dismissed() {
    let mut c = requested();
    c.apply_summary(&summary(SessionState::Queued));
    assert_eq!(c.dismiss().as_deref(), Some("s1"));
    assert_eq!(c.phase, Phase::Idle);
    assert!(
        !c.apply_summary(&summary(SessionState::Queued)),
        "late frame about s1"
    );
    assert_eq!(c.phase, Phase::Idle);
}

#[test]
fn events_before_the_session_frame_name_the_new_session() {
    let mut c = requested();
    let requested = Event {
        seq: 1,
        at: 1,
        author: Role::Visitor,
        author_name: None,
        body: EventBody::Requested { topic: None },
    };
    c.apply_event("s1", &requested);
    c.apply_event(
        "s1",
        &msg(2, Role::Visitor, "My card was charged twice", None),
    );
    assert_eq!(c.session.as_deref(), Some("s1"));
    assert_eq!(
        c.transcript.items[0].seq,
        Some(2),
        "the optimistic first message is confirmed"
    );
    assert!(c.apply_summary(&summary(SessionState::Queued)));
    assert_eq!(c.transcript.items.len(), 1);
}

#[test]
fn a_position_sent_before_welcome_is_kept_for_the_restored_session() {
    let mut c = Conversation::default();
    c.apply_place("s1", place(3));
    assert_eq!(c.place, None);
    c.apply_summary(&summary(SessionState::Queued));
    assert_eq!(c.status().position, Some(3));
}

#[test]
fn an_ended_summary_for_a_forgotten_session_is_ignored() {
    let mut c = Conversation::default();
    assert!(!c.apply_summary(&summary(SessionState::Ended)));
    assert_eq!(c.phase, Phase::Idle);
}

#[test]
fn share_state_follows_summaries_frames_and_the_end() {
    let mut c = Conversation::default();
    let mut s = summary(SessionState::Active);
    s.share = ShareState::Active;
    c.apply_summary(&s);
    assert_eq!(c.share, ShareState::Active, "restored from welcome");
    assert!(c.apply_share("s1", ShareState::Off));
    assert!(!c.apply_share("other", ShareState::Active));
    assert!(c.apply_share("s1", ShareState::Requested));
    let requested = Event {
        seq: 5,
        at: 5,
        author: Role::Agent,
        author_name: Some("Alex".into()),
        body: EventBody::Share {
            action: ShareAction::Requested,
            by: Role::Agent,
        },
    };
    c.apply_event("s1", &requested);
    assert_eq!(
        c.transcript.items.last().unwrap().body,
        ItemBody::Share {
            action: ShareAction::Requested
        }
    );
    c.apply_summary(&summary(SessionState::Ended));
    assert_eq!(c.share, ShareState::Off);
    assert!(
        !c.apply_share("s1", ShareState::Active),
        "ended sessions stay off"
    );
}

#[test]
fn the_call_follows_frames_and_summaries_and_ends_with_the_session() {
    let mut c = Conversation::default();
    c.apply_summary(&summary(SessionState::Active));
    let mut call = CallInfo {
        id: "c1".into(),
        phase: CallPhase::Ringing,
        started_by: Role::Agent,
        created_at: 1,
        answered_at: None,
        ended_at: None,
        end_reason: None,
    };
    assert!(!c.apply_call("other", &call));
    assert!(c.apply_call("s1", &call));
    assert_eq!(c.call.as_ref().map(|c| c.phase), Some(CallPhase::Ringing));
    call.phase = CallPhase::Ended;
    c.apply_call("s1", &call);
    assert_eq!(c.call, None, "an ended call is no call");
    let mut s = summary(SessionState::Active);
    call.phase = CallPhase::Active;
    s.call = Some(call.clone());
    c.apply_summary(&s);
    assert!(c.call.is_some(), "restored from welcome");
    let ended = Event {
        seq: 9,
        at: 9,
        author: Role::Visitor,
        author_name: None,
        body: EventBody::Ended { by: Role::Visitor },
    };
    c.apply_event("s1", &ended);
    assert_eq!(c.call, None);
    assert!(!c.apply_call("s1", &call), "ended sessions have no call");
}

#[test]
fn position_only_reported_while_queued() {
    let mut c = requested();
    c.apply_summary(&summary(SessionState::Queued));
    c.apply_place("s1", place(2));
    assert_eq!(c.status().position, Some(2));
    c.apply_summary(&summary(SessionState::Active));
    assert_eq!(c.status().position, None);
}

fn place(position: u32) -> Place {
    Place {
        position,
        eta_secs: None,
        unavailable: None,
    }
}

#[test]
fn a_booked_call_back_replaces_the_place_in_line() {
    let mut c = requested();
    c.apply_summary(&summary(SessionState::Queued));
    let nobody = Place {
        unavailable: Some(Unavailable::NoAgents),
        ..place(1)
    };
    c.apply_place("s1", nobody);
    assert_eq!(c.unavailable(), Some(Unavailable::NoAgents));
    c.apply_summary(&SessionSummary {
        callback: Some(Callback::Browser),
        ..summary(SessionState::Queued)
    });
    assert_eq!(c.callback, Some(Callback::Browser));
    assert_eq!(c.unavailable(), None, "no more offers once booked");
    assert_eq!(c.status().position, None);
}
