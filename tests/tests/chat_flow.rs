//! The foundation flow over real sockets: request → queue → accept → chat →
//! typing → receipts → end → stored transcript.

use protocol::{
    AgentPresence, ClientFrame, ErrorCode, EventBody, ReceiptKind, Role, ServerFrame, SessionState,
};
use tandem_tests::{Client, TestServer, session_id};

fn is_event(kind: &'static str) -> impl Fn(&ServerFrame) -> bool {
    move |f| matches!(f, ServerFrame::Event { event, .. } if event.body.kind() == kind)
}

#[tokio::test]
async fn visitor_and_agent_chat_from_request_to_end() {
    let server = TestServer::start().await;
    let (mut agent, token) = server.agent("alex@example.com", "Alex Martin").await;
    agent.go_online().await;
    agent
        .expect(|f| matches!(f, ServerFrame::Queue { items, .. } if items.is_empty()))
        .await;

    let (mut visitor, _, _) = server.visitor(None).await;
    visitor
        .send(ClientFrame::HelpRequest {
            client_id: Some("first".into()),
            topic: Some("billing".into()),
            message: "I was charged twice".into(),
            page: Some(protocol::PageInfo {
                url: "http://shop.test/checkout".into(),
                title: "Checkout".into(),
            }),
        })
        .await;
    // The session comes first, then its first two events, in order.
    let queued = visitor.recv().await.unwrap().frame;
    let session = session_id(&queued);
    let ServerFrame::Event {
        event: requested, ..
    } = visitor.recv().await.unwrap().frame
    else {
        panic!("the requested event follows the session")
    };
    assert_eq!(requested.seq, 1);
    assert_eq!(
        requested.body,
        EventBody::Requested {
            topic: Some("billing".into())
        }
    );
    let ServerFrame::Event { event: first, .. } = visitor.recv().await.unwrap().frame else {
        panic!("the first message follows")
    };
    assert_eq!(first.seq, 2);
    assert_eq!(
        first.body,
        EventBody::Message {
            text: "I was charged twice".into(),
            client_id: Some("first".into())
        }
    );
    let ServerFrame::Session { session: summary } = &queued else {
        unreachable!()
    };
    assert_eq!(summary.state, SessionState::Queued);
    assert_eq!(summary.topic.as_deref(), Some("billing"));
    visitor
        .expect(|f| {
            matches!(
                f,
                ServerFrame::QueuePosition {
                    position: 1,
                    agents_online: 1,
                    ..
                }
            )
        })
        .await;

    // The agent sees the request live, with page, topic and first message.
    let queue = agent
        .expect(|f| matches!(f, ServerFrame::Queue { items, .. } if !items.is_empty()))
        .await;
    let ServerFrame::Queue { items, .. } = queue else {
        unreachable!()
    };
    assert_eq!(items[0].session, session);
    assert_eq!(items[0].first_message, "I was charged twice");
    assert_eq!(items[0].page.as_ref().unwrap().title, "Checkout");

    agent
        .send(ClientFrame::QueueAccept {
            session: session.clone(),
        })
        .await;
    let active = agent
        .expect(|f| matches!(f, ServerFrame::Session { .. }))
        .await;
    let ServerFrame::Session { session: summary } = active else {
        unreachable!()
    };
    assert_eq!(summary.state, SessionState::Active);
    assert_eq!(summary.agent.as_ref().unwrap().name, "Alex Martin");
    agent
        .expect(|f| matches!(f, ServerFrame::Queue { items, .. } if items.is_empty()))
        .await;
    visitor.expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active)).await;
    visitor.expect(is_event("agent_joined")).await;

    // History so far: requested, first message, agent joined.
    agent
        .send(ClientFrame::SessionSync {
            session: session.clone(),
            after_seq: 0,
        })
        .await;
    let history = agent
        .expect(|f| matches!(f, ServerFrame::History { .. }))
        .await;
    let ServerFrame::History { events, more, .. } = history else {
        unreachable!()
    };
    assert!(!more);
    let kinds: Vec<_> = events.iter().map(|e| e.body.kind()).collect();
    assert_eq!(kinds, ["requested", "message", "agent_joined"]);
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);

    // Chat both ways; both sides receive every message, the sender's client_id echoed.
    agent.send(chat(&session, Some("a1"), "Let me check")).await;
    for side in [&mut agent, &mut visitor] {
        let ev = side.expect(is_event("message")).await;
        let ServerFrame::Event { event, .. } = ev else {
            unreachable!()
        };
        assert_eq!(event.seq, 4);
        assert_eq!(event.author, Role::Agent);
        assert_eq!(event.author_name.as_deref(), Some("Alex Martin"));
        assert_eq!(
            event.body,
            EventBody::Message {
                text: "Let me check".into(),
                client_id: Some("a1".into())
            }
        );
    }

    // Typing goes to the other side only.
    visitor
        .send(ClientFrame::Typing {
            session: session.clone(),
            active: true,
        })
        .await;
    agent
        .expect(|f| {
            matches!(
                f,
                ServerFrame::Typing {
                    author: Role::Visitor,
                    active: true,
                    ..
                }
            )
        })
        .await;

    visitor.send(chat(&session, Some("v1"), "Thanks!")).await;
    agent.expect(is_event("message")).await;

    // Receipts: the visitor read up to 5; the agent sees it.
    visitor
        .send(ClientFrame::Receipt {
            session: session.clone(),
            kind: ReceiptKind::Read,
            seq: 4,
        })
        .await;
    let r = agent
        .expect(|f| matches!(f, ServerFrame::Receipts { .. }))
        .await;
    let ServerFrame::Receipts { receipts, .. } = r else {
        unreachable!()
    };
    assert_eq!((receipts.visitor_delivered, receipts.visitor_read), (4, 4));

    // The visitor ends it; both sides learn; nothing more can be added.
    visitor
        .send(ClientFrame::SessionEnd {
            session: session.clone(),
        })
        .await;
    agent.expect(is_event("ended")).await;
    agent.expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Ended)).await;
    visitor.expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Ended)).await;
    let rid = agent.send(chat(&session, None, "hello?")).await;
    assert_eq!(agent.expect_error(Some(rid)).await, ErrorCode::SessionEnded);

    // The stored transcript has everything, in order.
    let transcript = server
        .get_json(&format!("/api/v1/sessions/{session}/transcript"), &token)
        .await;
    let texts: Vec<_> = transcript["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "requested",
            "message",
            "agent_joined",
            "message",
            "message",
            "ended"
        ]
    );
    assert_eq!(transcript["session"]["state"], "ended");
    assert_eq!(transcript["events"][4]["text"], "Thanks!");
}

#[tokio::test]
async fn two_agents_accepting_the_same_request_one_wins() {
    let server = TestServer::start().await;
    let (mut a, _) = server.agent("a@example.com", "Ann").await;
    let (mut b, _) = server.agent("b@example.com", "Bob").await;
    for agent in [&mut a, &mut b] {
        agent
            .send(ClientFrame::PresenceSet {
                presence: AgentPresence::Online,
            })
            .await;
    }
    let (mut visitor, _, _) = server.visitor(None).await;
    let session = visitor.ask_for_help("help").await;
    for agent in [&mut a, &mut b] {
        agent
            .expect(|f| matches!(f, ServerFrame::Queue { items, .. } if items.len() == 1))
            .await;
    }
    let ra = a
        .send(ClientFrame::QueueAccept {
            session: session.clone(),
        })
        .await;
    let rb = b
        .send(ClientFrame::QueueAccept {
            session: session.clone(),
        })
        .await;
    let won_a = tokio::time::timeout(
        std::time::Duration::from_millis(1500),
        a.expect_error(Some(ra)),
    )
    .await
    .is_err();
    let won_b = tokio::time::timeout(
        std::time::Duration::from_millis(1500),
        b.expect_error(Some(rb)),
    )
    .await
    .is_err();
    assert!(
        won_a ^ won_b,
        "exactly one agent wins (a: {won_a}, b: {won_b})"
    );
    let stored = server
        .running
        .store
        .session(&session)
        .await
        .unwrap()
        .unwrap();
    let winner = if won_a { "Ann" } else { "Bob" };
    assert_eq!(stored.agent.unwrap().name, winner);
}

#[tokio::test]
async fn agent_capacity_is_enforced() {
    let server = TestServer::start().await;
    let password = server.add_agent("cap@example.com", "Cap", 1).await;
    let token = server.login("cap@example.com", &password).await.unwrap();
    let mut agent = server.agent_client(&token).await;
    agent
        .send(ClientFrame::PresenceSet {
            presence: AgentPresence::Online,
        })
        .await;
    let mut sessions = Vec::new();
    let mut visitors = Vec::new();
    for i in 0..2 {
        let (mut v, _, _) = server.visitor(None).await;
        v.send(ClientFrame::HelpRequest {
            client_id: None,
            topic: None,
            message: format!("q{i}"),
            page: None,
        })
        .await;
        sessions.push(session_id(
            &v.expect(|f| matches!(f, ServerFrame::Session { .. })).await,
        ));
        v.expect(|f| matches!(f, ServerFrame::QueuePosition { .. }))
            .await;
        visitors.push(v);
    }
    agent
        .send(ClientFrame::QueueAccept {
            session: sessions[0].clone(),
        })
        .await;
    agent.expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active)).await;
    let rid = agent
        .send(ClientFrame::QueueAccept {
            session: sessions[1].clone(),
        })
        .await;
    assert_eq!(agent.expect_error(Some(rid)).await, ErrorCode::AtCapacity);
}

#[tokio::test]
async fn waiting_visitors_see_their_position_move_up() {
    let server = TestServer::start().await;
    let (mut agent, _) = server.agent("alex@example.com", "Alex").await;
    agent
        .send(ClientFrame::PresenceSet {
            presence: AgentPresence::Online,
        })
        .await;
    let mut visitors = Vec::new();
    let mut sessions = Vec::new();
    for i in 0..3 {
        let (mut v, _, _) = server.visitor(None).await;
        v.send(ClientFrame::HelpRequest {
            client_id: None,
            topic: None,
            message: format!("q{i}"),
            page: None,
        })
        .await;
        sessions.push(session_id(
            &v.expect(|f| matches!(f, ServerFrame::Session { .. })).await,
        ));
        let want = i + 1;
        v.expect(
            move |f| matches!(f, ServerFrame::QueuePosition { position, .. } if *position == want),
        )
        .await;
        visitors.push(v);
    }
    agent
        .send(ClientFrame::QueueAccept {
            session: sessions[0].clone(),
        })
        .await;
    visitors[1]
        .expect(|f| matches!(f, ServerFrame::QueuePosition { position: 1, .. }))
        .await;
    visitors[2]
        .expect(|f| matches!(f, ServerFrame::QueuePosition { position: 2, .. }))
        .await;
    // The visitor who was served gets no more positions, only the session.
    visitors[0].expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active)).await;
}

/// A `chat.send` frame.
fn chat(session: &str, client_id: Option<&str>, text: &str) -> ClientFrame {
    ClientFrame::ChatSend {
        session: session.to_string(),
        client_id: client_id.map(str::to_string),
        text: text.to_string(),
    }
}

/// The message events among frames, as (seq, text).
fn message(f: &ServerFrame) -> Option<(u64, String)> {
    match f {
        ServerFrame::Event { event, .. } => match &event.body {
            EventBody::Message { text, .. } => Some((event.seq, text.clone())),
            _ => None,
        },
        _ => None,
    }
}

/// An accepted session whose events so far are all stored and delivered;
/// returns the agent, the visitor and the session id.
async fn settled_chat(server: &TestServer) -> (Client, Client, String) {
    let tandem_tests::Accepted {
        mut agent,
        mut visitor,
        session,
        ..
    } = server.accepted_session("hello").await;
    visitor.expect(is_event("agent_joined")).await;
    agent.expect(is_event("agent_joined")).await;
    (agent, visitor, session)
}

async fn messages(client: &mut Client, count: usize) -> Vec<(u64, String)> {
    let mut got = Vec::new();
    while got.len() < count {
        let env = client.recv().await.expect("the burst arrives");
        got.extend(message(&env.frame));
    }
    got
}

#[tokio::test]
async fn a_burst_sent_without_waiting_is_stored_and_delivered_in_order() {
    const BURST: usize = 300;
    // Above the flood guard, which a person typing never meets.
    let server = TestServer::start_with(|c| c.frames_per_second = 10_000).await;
    let (mut agent, mut visitor, session) = settled_chat(&server).await;
    let first = server.stored_session(&session).await.last_seq + 1;
    // Frames go out back to back; the server takes the next while earlier
    // ones are being written, and the agent writes in between.
    for i in 0..BURST {
        visitor
            .send(chat(&session, Some(&format!("c{i}")), &format!("m{i}")))
            .await;
        if i % 50 == 0 {
            agent
                .send(chat(&session, None, &format!("agent {i}")))
                .await;
        }
    }
    let total = BURST + BURST.div_ceil(50);
    let seen_by_agent = messages(&mut agent, total).await;
    let seen_by_visitor = messages(&mut visitor, total).await;
    // Both sides see one order, numbered without gaps, each sender's
    // messages in the order sent.
    assert_eq!(seen_by_agent, seen_by_visitor);
    let seqs: Vec<u64> = seen_by_agent.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, (first..first + total as u64).collect::<Vec<_>>());
    let from_visitor: Vec<&str> = seen_by_agent
        .iter()
        .map(|(_, text)| text.as_str())
        .filter(|t| t.starts_with('m'))
        .collect();
    let sent: Vec<String> = (0..BURST).map(|i| format!("m{i}")).collect();
    assert_eq!(from_visitor, sent);
    // What was delivered is what is stored.
    let stored = server
        .running
        .store
        .events_after(&session, first - 1, 1_000)
        .await
        .unwrap();
    let stored: Vec<(u64, String)> = stored
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Message { text, .. } => Some((e.seq, text.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(stored, seen_by_agent);
    assert_eq!(
        server.stored_session(&session).await.last_seq,
        first + total as u64 - 1
    );
}

#[tokio::test]
async fn a_message_the_store_refuses_gets_an_error_and_the_next_goes_through() {
    let server = TestServer::start().await;
    let (mut agent, mut visitor, session) = settled_chat(&server).await;
    // Something else takes the number the next message would get, so
    // storing that message fails (as a full disk would make it fail).
    let taken = server.stored_session(&session).await.last_seq + 1;
    let squatter = protocol::Event {
        seq: taken,
        at: 0,
        author: Role::System,
        author_name: None,
        body: EventBody::Ended { by: Role::System },
    };
    server
        .running
        .store
        .append_events(&[(session.clone(), squatter)])
        .await
        .unwrap();
    let lost = visitor
        .send(chat(&session, Some("lost"), "this one fails"))
        .await;
    let env = loop {
        let env = visitor.recv().await.unwrap();
        assert!(message(&env.frame).is_none(), "not delivered: {env:?}");
        if matches!(env.frame, ServerFrame::Error { .. }) {
            break env;
        }
    };
    assert_eq!(env.rid, Some(lost));
    assert!(
        matches!(&env.frame, ServerFrame::Error { code: ErrorCode::Internal, session: Some(s), .. } if *s == session),
        "the sender hears that its message was not saved: {env:?}"
    );
    // The next message is stored and delivered; the failed one never is.
    visitor
        .send(chat(&session, Some("next"), "and this one works"))
        .await;
    let next = (taken + 1, "and this one works".to_string());
    assert_eq!(messages(&mut agent, 1).await, vec![next.clone()]);
    assert_eq!(messages(&mut visitor, 1).await, vec![next]);
}
