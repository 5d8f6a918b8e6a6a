//! Native tests of a chat handed on by a transfer: whose words are whose,
//! private notes, and wrap-ups.

use protocol::{AgentInfo, Event, EventBody, Role, SessionSummary};

use super::chat_tests::summary;
use super::{Chat, Preview, RowKind};

fn by(seq: u64, author: Role, name: Option<&str>, body: EventBody) -> Event {
    Event {
        seq,
        at: seq as i64,
        author,
        author_name: name.map(Into::into),
        body,
    }
}

#[test]
fn after_a_transfer_the_previous_agents_words_are_theirs_and_notes_are_rows() {
    let mut chat = Chat::new(SessionSummary {
        visitor_id: "v_1".into(),
        agent: Some(AgentInfo {
            id: "a_2".into(),
            name: "Ben".into(),
        }),
        ..summary()
    });
    let said = |text: &str| EventBody::Message {
        text: text.into(),
        client_id: None,
    };
    chat.apply_event(by(1, Role::Agent, Some("Ana"), said("one moment")));
    assert_eq!(
        chat.preview(),
        Some((Preview::Colleague("Ana"), "one moment"))
    );
    chat.apply_event(by(2, Role::Agent, Some("Ben"), said("Ben here")));
    assert_eq!(chat.preview(), Some((Preview::Mine, "Ben here")));
    let note = EventBody::Note { text: "VIP".into() };
    chat.apply_event(by(3, Role::Agent, Some("Ana"), note));
    assert!(chat.rows().iter().any(|r| matches!(
        &r.kind,
        RowKind::Note { text, author_name: Some(n), .. } if text == "VIP" && n == "Ana"
    )));
    // Wrap-ups: the latest one counts, and the log says so.
    assert_eq!(chat.wrapup(), None);
    let tagged = |tag: &str, note: Option<&str>| EventBody::Wrapup {
        disposition: tag.into(),
        note: note.map(str::to_string),
    };
    chat.apply_event(by(4, Role::Agent, Some("Ben"), tagged("spam", None)));
    chat.apply_event(by(
        5,
        Role::Agent,
        Some("Ben"),
        tagged("follow_up", Some("Monday")),
    ));
    assert_eq!(
        chat.wrapup(),
        Some(("follow_up".into(), Some("Monday".into())))
    );
    assert!(chat.rows().iter().any(|r| matches!(
        &r.kind,
        RowKind::System { text, .. } if text == "Wrapped up as Follow up · Monday"
    )));
}
