//! Handing a chat on: private notes stay among agents (the visitor sees a
//! redacted entry in their place), a transfer to a named colleague moves the
//! chat at once within capacity, and an escalation puts it in another
//! skill's queue, where the distributor offers it to a skilled agent. A
//! change of agent ends screen sharing, calls and pushes: the visitor agreed
//! to them with the agent who handed the chat on.

use protocol::cobrowse::{FrameKind, ShareState, encode_frame};
use protocol::{
    CallEndReason, CallPhase, ClientFrame, ErrorCode, EventBody, Role, ServerFrame, SessionState,
    ShareAction,
};
use tandem_tests::{Accepted, Client, Incoming, TestServer};

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

/// Matches the `cobrowse` frame announcing `state`.
fn share_is(state: ShareState) -> impl Fn(&ServerFrame) -> bool {
    move |f| matches!(f, ServerFrame::Cobrowse { state: s, .. } if *s == state)
}

/// The agent asks, the visitor allows, and a page reaches the agent.
async fn share_a_page(a: &mut Accepted) {
    let session = a.session.clone();
    a.agent
        .send(ClientFrame::CobrowseRequest {
            session: session.clone(),
        })
        .await;
    a.visitor.expect(share_is(ShareState::Requested)).await;
    a.visitor
        .send(ClientFrame::CobrowseStart {
            session: session.clone(),
        })
        .await;
    a.agent.expect(share_is(ShareState::Active)).await;
    let page = br#"{"url":"http://shop.test/account","vw":1280,"vh":800}"#;
    a.visitor
        .send_binary(encode_frame(FrameKind::Keyframe, &session, 1, 0, page))
        .await;
    a.agent.recv_binary().await;
}

/// The new agent opens the mirror: nothing of the old page is replayed,
/// the answer is `not_sharing`, and asking again reaches the visitor.
async fn must_ask_again(agent: &mut Client, visitor: &mut Client, session: &str) {
    let rid = agent
        .send(ClientFrame::CobrowseSubscribe {
            session: session.to_string(),
            fresh: false,
        })
        .await;
    assert_eq!(agent.expect_error(Some(rid)).await, ErrorCode::NotSharing);
    agent
        .expect_none(300, |i| matches!(i, Incoming::Binary(_)))
        .await;
    agent
        .send(ClientFrame::CobrowseRequest {
            session: session.to_string(),
        })
        .await;
    visitor.expect(share_is(ShareState::Requested)).await;
}

/// The transcript entry saying sharing ended with the change of agent.
fn share_stopped_by_system(f: &ServerFrame) -> bool {
    matches!(f, ServerFrame::Event { event, .. } if event.body == EventBody::Share { action: ShareAction::Stopped, by: Role::System })
}

#[tokio::test]
async fn a_transfer_to_a_queue_ends_sharing_and_the_next_agent_must_ask_again() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("my account page is wrong").await;
    share_a_page(&mut a).await;
    let (mut expert, _) = colleague(&server, "lee@example.com", &["billing"], 2).await;
    a.agent
        .send(ClientFrame::SessionTransfer {
            session: a.session.clone(),
            agent: None,
            skill: Some("billing".into()),
            note: None,
        })
        .await;
    // Both sides hear that sharing is off, and the visitor reads why.
    a.agent.expect(share_is(ShareState::Off)).await;
    a.visitor.expect(share_is(ShareState::Off)).await;
    a.visitor.expect(share_stopped_by_system).await;
    // The visitor's Stop, sent while waiting again, is answered, not refused.
    let rid = a
        .visitor
        .send(ClientFrame::CobrowseStop {
            session: a.session.clone(),
        })
        .await;
    let answered = answer(&mut a.visitor, rid).await;
    assert!(
        matches!(
            answered,
            ServerFrame::Cobrowse {
                state: ShareState::Off,
                ..
            }
        ),
        "{answered:?}"
    );
    // Page frames sent meanwhile are refused, not kept for the next agent.
    let late = br#"{"url":"http://shop.test/secret","vw":1,"vh":1}"#;
    a.visitor
        .send_binary(encode_frame(FrameKind::Keyframe, &a.session, 2, 0, late))
        .await;
    assert_eq!(a.visitor.expect_error(None).await, ErrorCode::NotSharing);
    expert.accept(&a.session).await;
    must_ask_again(&mut expert, &mut a.visitor, &a.session).await;
}

/// The frame answering request `rid`, skipping others.
async fn answer(client: &mut Client, rid: u64) -> ServerFrame {
    loop {
        let env = client.recv().await.expect("an answer");
        if env.rid == Some(rid) {
            return env.frame;
        }
    }
}

#[tokio::test]
async fn a_transfer_to_a_colleague_ends_the_call_and_sharing() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("can we talk?").await;
    share_a_page(&mut a).await;
    a.agent
        .send(ClientFrame::CallStart {
            session: a.session.clone(),
        })
        .await;
    let ringing = a
        .visitor
        .expect(|f| matches!(f, ServerFrame::Call { call, .. } if call.phase == CallPhase::Ringing))
        .await;
    let ServerFrame::Call { call, .. } = ringing else {
        unreachable!()
    };
    a.visitor
        .send(ClientFrame::CallAccept {
            session: a.session.clone(),
            call: call.id.clone(),
        })
        .await;
    a.agent
        .expect(|f| matches!(f, ServerFrame::Call { call, .. } if call.phase == CallPhase::Active))
        .await;

    let (mut blair, blair_id) = colleague(&server, "blair@example.com", &[], 2).await;
    a.agent
        .send(ClientFrame::SessionTransfer {
            session: a.session.clone(),
            agent: Some(blair_id),
            skill: None,
            note: None,
        })
        .await;
    // The call with Alex ends on both sides, for the transfer.
    let ended = |f: &ServerFrame| matches!(f, ServerFrame::Call { call: c, .. } if c.phase == CallPhase::Ended && c.end_reason == Some(CallEndReason::Transferred));
    a.agent.expect(ended).await;
    a.visitor.expect(ended).await;
    a.visitor.expect(share_stopped_by_system).await;
    let call_ended = |f: &ServerFrame| matches!(f, ServerFrame::Event { event, .. } if matches!(event.body, EventBody::Call { reason: Some(CallEndReason::Transferred), .. }));
    a.visitor.expect(call_ended).await;
    // Blair inherits neither the call nor the page.
    let got = blair
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active))
        .await;
    let ServerFrame::Session { session } = got else {
        unreachable!()
    };
    assert_eq!((session.share, session.call), (ShareState::Off, None));
    let rid = blair
        .send(ClientFrame::CallCredentials {
            session: a.session.clone(),
            call: call.id.clone(),
        })
        .await;
    assert_eq!(blair.expect_error(Some(rid)).await, ErrorCode::NoCall);
    must_ask_again(&mut blair, &mut a.visitor, &a.session).await;
}
