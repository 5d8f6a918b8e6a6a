//! Handing a chat on: private notes stay among agents (the visitor sees a
//! redacted entry in their place), a transfer to a named colleague moves the
//! chat at once within capacity, and an escalation puts it in another
//! skill's queue, where the distributor offers it to a skilled agent.

use protocol::{ClientFrame, ErrorCode, EventBody, ServerFrame, SessionState};
use tandem_tests::{Client, TestServer};

/// A second agent, online, with the given skills and capacity; returns the
/// client and the agent's id.
async fn colleague(
    server: &TestServer,
    email: &str,
    skills: &[&str],
    capacity: u32,
) -> (Client, String) {
    let password = server
        .add_skilled_agent(email, "Blair", skills, capacity)
        .await;
    let token = server.login(email, &password).await.unwrap();
    let mut client = server.agent_client(&token).await;
    client.go_online().await;
    let id = server
        .running
        .store
        .agent_credentials(email)
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    (client, id)
}

/// The session's whole log as `client` may read it, as JSON text.
async fn history_of(client: &mut Client, session: &str) -> String {
    client
        .send(ClientFrame::SessionSync {
            session: session.to_string(),
            after_seq: 0,
        })
        .await;
    let history = client
        .expect(|f| matches!(f, ServerFrame::History { .. }))
        .await;
    serde_json::to_string(&history).unwrap()
}

fn event_kind<'a>(session: &'a str, kind: &'a str) -> impl Fn(&ServerFrame) -> bool + 'a {
    move |f| matches!(f, ServerFrame::Event { session: s, event } if s == session && event.body.kind() == kind)
}

#[tokio::test]
async fn private_notes_reach_agents_and_never_the_visitor() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("my parcel is late").await;
    a.agent
        .send(ClientFrame::NoteAdd {
            session: a.session.clone(),
            text: "VIP customer, refund approved".into(),
        })
        .await;
    let note = a.agent.expect(event_kind(&a.session, "note")).await;
    let ServerFrame::Event { event, .. } = note else {
        unreachable!()
    };
    assert_eq!(event.author_name.as_deref(), Some("Alex"));
    // The visitor gets the same seq, redacted: no gap in their numbering, no text.
    let seen = a
        .visitor
        .expect(|f| matches!(f, ServerFrame::Event { event: e, .. } if e.seq == event.seq))
        .await;
    let ServerFrame::Event {
        event: redacted, ..
    } = seen
    else {
        unreachable!()
    };
    assert_eq!(redacted.body, EventBody::Redacted);
    assert_eq!(redacted.author_name, None);
    // Nor does the visitor's history hold it.
    let json = history_of(&mut a.visitor, &a.session).await;
    assert!(!json.contains("refund approved"), "{json}");
    assert!(json.contains("\"kind\":\"redacted\""), "{json}");
    // The agent's history keeps it.
    assert!(
        history_of(&mut a.agent, &a.session)
            .await
            .contains("refund approved")
    );
    // Visitors cannot write notes.
    let rid = a
        .visitor
        .send(ClientFrame::NoteAdd {
            session: a.session.clone(),
            text: "sneaky".into(),
        })
        .await;
    assert_eq!(
        a.visitor.expect_error(Some(rid)).await,
        ErrorCode::Forbidden
    );
}

#[tokio::test]
async fn transfer_to_a_colleague_moves_the_chat_with_its_note() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("I need to change my address").await;
    let (mut blair, blair_id) = colleague(&server, "blair@example.com", &[], 2).await;
    a.agent
        .send(ClientFrame::SessionTransfer {
            session: a.session.clone(),
            agent: Some(blair_id.clone()),
            skill: None,
            note: Some("address change needs a manager".into()),
        })
        .await;
    // Blair gets the session, then reads the note and the transfer in its history.
    let got = blair
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.agent.as_ref().is_some_and(|ag| ag.id == blair_id)))
        .await;
    let ServerFrame::Session { session } = got else {
        unreachable!()
    };
    assert_eq!(session.state, SessionState::Active);
    blair.expect(event_kind(&a.session, "transferred")).await;
    let text = history_of(&mut blair, &a.session).await;
    assert!(text.contains("address change needs a manager"), "{text}");
    assert!(text.contains("I need to change my address"), "{text}");
    // Alex is told the chat is no longer theirs, and can no longer act on it.
    a.agent
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.agent.as_ref().is_some_and(|ag| ag.id == blair_id)))
        .await;
    let rid = a
        .agent
        .send(ClientFrame::ChatSend {
            session: a.session.clone(),
            client_id: None,
            text: "still here?".into(),
        })
        .await;
    assert_eq!(a.agent.expect_error(Some(rid)).await, ErrorCode::Forbidden);
    // The visitor sees who they talk to now; Blair's messages reach them.
    let moved = a
        .visitor
        .expect(event_kind(&a.session, "transferred"))
        .await;
    let ServerFrame::Event { event, .. } = moved else {
        unreachable!()
    };
    match event.body {
        EventBody::Transferred { to: Some(to), .. } => assert_eq!(to.name, "Blair"),
        other => panic!("{other:?}"),
    }
    blair
        .send(ClientFrame::ChatSend {
            session: a.session.clone(),
            client_id: None,
            text: "Hi, Blair here".into(),
        })
        .await;
    a.visitor.expect(event_kind(&a.session, "message")).await;
}

#[tokio::test]
async fn transfer_is_refused_when_the_colleague_cannot_take_it() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("help").await;
    // Offline colleague: known, but not connected.
    server.add_agent("casey@example.com", "Casey", 4).await;
    let casey_id = server
        .running
        .store
        .agent_credentials("casey@example.com")
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let transfer = |agent: &str| ClientFrame::SessionTransfer {
        session: a.session.clone(),
        agent: Some(agent.to_string()),
        skill: None,
        note: Some("should not be stored".into()),
    };
    let rid = a.agent.send(transfer(&casey_id)).await;
    assert_eq!(
        a.agent.expect_error(Some(rid)).await,
        ErrorCode::AgentUnavailable
    );
    let rid = a.agent.send(transfer("a_nobody")).await;
    assert_eq!(
        a.agent.expect_error(Some(rid)).await,
        ErrorCode::AgentUnavailable
    );
    // A colleague whose one slot is taken by a chat of their own.
    let (mut blair, blair_id) = colleague(&server, "blair@example.com", &[], 1).await;
    let (mut v2, _, _) = server.visitor(None).await;
    v2.send(ClientFrame::HelpRequest {
        topic: None,
        message: "me too".into(),
        client_id: None,
        page: None,
    })
    .await;
    let other = tandem_tests::session_id(
        &v2.expect(|f| matches!(f, ServerFrame::Session { .. }))
            .await,
    );
    blair
        .expect(|f| matches!(f, ServerFrame::Queue { items, .. } if items.iter().any(|i| i.session == other)))
        .await;
    blair
        .send(ClientFrame::QueueAccept {
            session: other.clone(),
        })
        .await;
    v2.expect(
        |f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active),
    )
    .await;
    let rid = a.agent.send(transfer(&blair_id)).await;
    assert_eq!(a.agent.expect_error(Some(rid)).await, ErrorCode::AtCapacity);
    // Nothing was written: the session is still Alex's, no note in its log.
    let text = history_of(&mut a.agent, &a.session).await;
    assert!(!text.contains("should not be stored"), "{text}");
    // The visitor cannot transfer.
    let rid = a
        .visitor
        .send(ClientFrame::SessionTransfer {
            session: a.session.clone(),
            agent: None,
            skill: Some("level2".into()),
            note: None,
        })
        .await;
    assert_eq!(
        a.visitor.expect_error(Some(rid)).await,
        ErrorCode::Forbidden
    );
}

#[tokio::test]
async fn escalation_queues_the_chat_for_the_skill() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("the API returns 500").await;
    let (mut expert, expert_id) = colleague(&server, "lee@example.com", &["level2"], 2).await;
    a.agent
        .send(ClientFrame::SessionTransfer {
            session: a.session.clone(),
            agent: None,
            skill: Some("Level2".into()),
            note: Some("reproduced on staging".into()),
        })
        .await;
    // The visitor waits again, with a place in line.
    a.visitor
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Queued))
        .await;
    a.visitor
        .expect(|f| matches!(f, ServerFrame::QueuePosition { position: 1, .. }))
        .await;
    // The skilled agent is offered it (not Alex, who handed it on), and takes it.
    let offer = expert
        .expect(|f| matches!(f, ServerFrame::Offer { session, .. } if *session == a.session))
        .await;
    let ServerFrame::Offer { item, .. } = offer else {
        unreachable!()
    };
    assert_eq!(item.topic.as_deref(), Some("level2"));
    expert
        .send(ClientFrame::QueueAccept {
            session: a.session.clone(),
        })
        .await;
    a.visitor
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active && session.agent.as_ref().is_some_and(|ag| ag.id == expert_id)))
        .await;
    assert!(
        history_of(&mut expert, &a.session)
            .await
            .contains("reproduced on staging")
    );
}
