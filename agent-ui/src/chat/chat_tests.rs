//! Native tests of `Chat`: pending messages, resends, receipts, the end of
//! a chat and the rows the message list shows.

use protocol::{Event, EventBody, Receipts, Role, SessionState, SessionSummary};

use super::{Chat, Delivery, RowKind};

/// An active chat with an anonymous visitor, nobody assigned.
pub(super) fn summary() -> SessionSummary {
    SessionSummary {
        id: "s1".into(),
        site: "demo".into(),
        state: SessionState::Active,
        visitor_id: "v_abc".into(),
        visitor_name: None,
        topic: None,
        agent: None,
        page: None,
        requested_at: 0,
        accepted_at: None,
        ended_at: None,
        last_seq: 0,
        share: Default::default(),
        call: None,
        callback: None,
        visitor_presence: None,
    }
}

fn msg(seq: u64, author: Role, text: &str, client_id: Option<&str>) -> Event {
    Event {
        seq,
        at: seq as i64 * 1000,
        author,
        author_name: None,
        body: EventBody::Message {
            text: text.into(),
            client_id: client_id.map(Into::into),
        },
    }
}

#[test]
fn echoed_message_replaces_its_pending_copy() {
    let mut chat = Chat::new(summary());
    chat.add_pending("c1".into(), "Hello".into(), 0, Some(1));
    assert_eq!(chat.rows().len(), 1);
    chat.apply_event(msg(3, Role::Agent, "Hello", Some("c1")));
    let rows = chat.rows();
    assert_eq!(rows.len(), 1);
    assert!(matches!(rows[0].kind, RowKind::Message { seq: 3, .. }));
    assert!(
        !chat.apply_event(msg(3, Role::Agent, "Hello", Some("c1"))),
        "duplicates are ignored"
    );
}

#[test]
fn lost_messages_are_resent_once_per_connection() {
    let mut chat = Chat::new(summary());
    chat.add_pending("c1".into(), "one".into(), 0, Some(1));
    chat.add_pending("c2".into(), "two".into(), 0, None);
    chat.add_pending("c3".into(), "three".into(), 0, Some(2));
    chat.apply_history(
        vec![msg(4, Role::Agent, "one", Some("c1"))],
        Receipts::default(),
    );
    assert_eq!(
        chat.take_resend(2),
        vec![("c2".to_string(), "two".to_string())]
    );
    assert!(chat.take_resend(2).is_empty());
}

#[test]
fn receipts_are_due_once_and_read_covers_delivered() {
    let mut chat = Chat::new(summary());
    chat.apply_event(msg(2, Role::Visitor, "hi", None));
    assert_eq!(chat.delivered_due(), Some(2));
    assert_eq!(chat.unread(), 1);
    chat.mark_read(2);
    assert_eq!(chat.delivered_due(), None);
    assert_eq!(chat.read_due(), None);
    assert_eq!(chat.unread(), 0);
    chat.apply_event(msg(3, Role::Agent, "hello", None));
    assert_eq!(chat.read_due(), None, "our own messages need no receipt");
}

#[test]
fn history_receipts_prevent_resending_old_receipts() {
    let mut chat = Chat::new(summary());
    let receipts = Receipts {
        agent_delivered: 2,
        agent_read: 2,
        ..Receipts::default()
    };
    chat.apply_history(vec![msg(2, Role::Visitor, "hi", None)], receipts);
    assert_eq!(chat.delivered_due(), None);
    assert_eq!(chat.unread(), 0);
}

#[test]
fn ended_event_closes_and_summary_cannot_reopen() {
    let mut chat = Chat::new(summary());
    chat.apply_event(Event {
        seq: 5,
        at: 9,
        author: Role::Visitor,
        author_name: None,
        body: EventBody::Ended { by: Role::Visitor },
    });
    assert!(chat.is_ended());
    chat.set_summary(summary());
    assert!(chat.is_ended());
}

#[test]
fn delivery_follows_visitor_receipts() {
    let mut chat = Chat::new(summary());
    chat.set_receipts(Receipts {
        visitor_delivered: 5,
        visitor_read: 3,
        ..Receipts::default()
    });
    assert_eq!(Delivery::of(3, &chat.receipts), Delivery::Read);
    assert_eq!(Delivery::of(5, &chat.receipts), Delivery::Delivered);
    assert_eq!(Delivery::of(6, &chat.receipts), Delivery::Sent);
}

#[test]
fn consecutive_messages_share_a_header() {
    let mut chat = Chat::new(summary());
    chat.apply_event(msg(2, Role::Visitor, "a", None));
    chat.apply_event(msg(3, Role::Visitor, "b", None));
    chat.apply_event(msg(4, Role::Agent, "c", None));
    let starts: Vec<bool> = chat
        .rows()
        .iter()
        .map(|r| match r.kind {
            RowKind::Message { starts_group, .. } => starts_group,
            _ => true,
        })
        .collect();
    assert_eq!(starts, vec![true, false, true]);
}
