//! Either side drops and comes back: nothing is lost, the token restores the
//! visitor's session, and a server restart keeps queue and conversations.

use protocol::{AgentPresence, ClientFrame, ServerFrame};
use tandem_tests::{Client, TestServer};

async fn accepted_session(server: &TestServer) -> (Client, Client, String, String, String) {
    let a = server.accepted_session("where is my order?").await;
    (
        a.agent,
        a.visitor,
        a.session,
        a.agent_token,
        a.visitor_token,
    )
}

fn texts(frame: &ServerFrame) -> Vec<String> {
    let ServerFrame::History { events, .. } = frame else {
        panic!("not history: {frame:?}")
    };
    events
        .iter()
        .filter_map(|e| match &e.body {
            protocol::EventBody::Message { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn visitor_reconnects_and_resumes_without_losing_a_message() {
    let server = TestServer::start().await;
    let (mut agent, visitor, session, _, visitor_token) = accepted_session(&server).await;
    let last_seen = 3; // requested, first message, agent joined
    visitor.close().await;

    for text in ["Your order shipped", "It arrives Tuesday"] {
        agent
            .send(ClientFrame::ChatSend {
                session: session.clone(),
                client_id: None,
                text: text.into(),
            })
            .await;
    }
    agent
        .expect(|f| matches!(f, ServerFrame::Event { event, .. } if event.seq == 5))
        .await;

    // Same token: same visitor, and the open session is listed in welcome.
    let (mut visitor, _, welcome) = server.visitor(Some(visitor_token)).await;
    let ServerFrame::Welcome { sessions, .. } = welcome else {
        unreachable!()
    };
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].id, session);
    assert_eq!(sessions[0].last_seq, 5);
    visitor
        .send(ClientFrame::SessionSync {
            session: session.clone(),
            after_seq: last_seen,
        })
        .await;
    let history = visitor
        .expect(|f| matches!(f, ServerFrame::History { .. }))
        .await;
    assert_eq!(
        texts(&history),
        ["Your order shipped", "It arrives Tuesday"]
    );

    // And the conversation carries on live.
    visitor
        .send(ClientFrame::ChatSend {
            session: session.clone(),
            client_id: None,
            text: "Great".into(),
        })
        .await;
    agent
        .expect(|f| matches!(f, ServerFrame::Event { event, .. } if event.seq == 6))
        .await;
}

#[tokio::test]
async fn agent_reconnects_and_gets_their_sessions_back() {
    let server = TestServer::start().await;
    let (agent, mut visitor, session, agent_token, _) = accepted_session(&server).await;
    agent.close().await;
    visitor
        .send(ClientFrame::ChatSend {
            session: session.clone(),
            client_id: None,
            text: "hello?".into(),
        })
        .await;
    visitor
        .expect(|f| matches!(f, ServerFrame::Event { event, .. } if event.seq == 4))
        .await;

    let mut agent = Client::connect(&format!("{}/ws/agent", server.running.ws_url()), None)
        .await
        .unwrap();
    let welcome = agent.hello(Some(agent_token)).await;
    let ServerFrame::Welcome {
        sessions, presence, ..
    } = welcome
    else {
        unreachable!()
    };
    assert_eq!(presence, Some(AgentPresence::Online));
    assert_eq!(
        sessions.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        [session.as_str()]
    );
    agent
        .send(ClientFrame::SessionSync {
            session: session.clone(),
            after_seq: 0,
        })
        .await;
    let history = agent
        .expect(|f| matches!(f, ServerFrame::History { .. }))
        .await;
    assert_eq!(texts(&history), ["where is my order?", "hello?"]);
}

#[tokio::test]
async fn a_restart_keeps_the_queue_and_open_conversations() {
    let server = TestServer::start().await;
    let (_agent, mut visitor, session, agent_token, visitor_token) =
        accepted_session(&server).await;
    visitor
        .send(ClientFrame::ChatSend {
            session: session.clone(),
            client_id: None,
            text: "before".into(),
        })
        .await;
    visitor
        .expect(|f| matches!(f, ServerFrame::Event { event, .. } if event.seq == 4))
        .await;
    // A second visitor waits in the queue.
    let (mut waiting, _, _) = server.visitor(None).await;
    let queued = waiting.ask_for_help("still there?").await;

    let server = server.restart().await;

    let mut agent = server.agent_client(&agent_token).await;
    agent
        .send(ClientFrame::PresenceSet {
            presence: AgentPresence::Online,
        })
        .await;
    let queue = agent
        .expect(|f| matches!(f, ServerFrame::Queue { items, .. } if !items.is_empty()))
        .await;
    let ServerFrame::Queue { items, .. } = queue else {
        unreachable!()
    };
    assert_eq!(items[0].session, queued);

    let (mut visitor, _, welcome) = server.visitor(Some(visitor_token)).await;
    let ServerFrame::Welcome { sessions, .. } = welcome else {
        unreachable!()
    };
    assert_eq!(sessions[0].id, session);
    visitor
        .send(ClientFrame::ChatSend {
            session: session.clone(),
            client_id: None,
            text: "after".into(),
        })
        .await;
    let ev = agent
        .expect(|f| matches!(f, ServerFrame::Event { .. }))
        .await;
    let ServerFrame::Event { event, .. } = ev else {
        unreachable!()
    };
    assert_eq!(event.seq, 5, "numbering continues after the restart");
}

#[tokio::test]
async fn a_waiting_visitor_gets_welcome_first_then_their_place_in_line() {
    let server = TestServer::start().await;
    let (mut visitor, token, _) = server.visitor(None).await;
    visitor
        .send(ClientFrame::HelpRequest {
            client_id: None,
            topic: None,
            message: "hi".into(),
            page: None,
        })
        .await;
    visitor
        .expect(|f| matches!(f, ServerFrame::QueuePosition { .. }))
        .await;
    visitor.close().await;

    let url = format!(
        "{}/ws/visitor?site={}",
        server.running.ws_url(),
        tandem_tests::SITE
    );
    let mut again = Client::connect(&url, Some(tandem_tests::SHOP_ORIGIN))
        .await
        .unwrap();
    again
        .send(ClientFrame::Hello {
            token: Some(token),
            page: None,
        })
        .await;
    let first = again.recv().await.unwrap();
    assert!(
        matches!(first.frame, ServerFrame::Welcome { .. }),
        "{first:?}"
    );
    assert_eq!(first.rid, Some(1), "welcome answers the hello");
    let second = again.recv().await.unwrap().frame;
    assert!(
        matches!(second, ServerFrame::QueuePosition { position: 1, .. }),
        "{second:?}"
    );
}

#[tokio::test]
async fn an_online_agent_is_offered_requests_after_a_restart_without_choosing_again() {
    let server = TestServer::start().await;
    let a = server.accepted_session("hello").await;
    let agent_token = a.agent_token.clone();
    drop(a);

    let server = server.restart().await;
    let mut agent = Client::connect(&format!("{}/ws/agent", server.running.ws_url()), None)
        .await
        .expect("connect");
    let welcome = agent.hello(Some(agent_token)).await;
    assert!(
        matches!(
            welcome,
            ServerFrame::Welcome {
                presence: Some(AgentPresence::Online),
                ..
            }
        ),
        "the presence they chose before the restart: {welcome:?}"
    );
    let (mut visitor, _, _) = server.visitor(None).await;
    let session = visitor.ask_for_help("anyone there?").await;
    agent
        .expect(|f| matches!(f, ServerFrame::Offer { session: s, .. } if *s == session))
        .await;
}

/// The process stopped after storing a request and before its first events
/// (the visitor had been told of the session): the restarted server gives the
/// log its request and first message back from the stored row.
#[tokio::test]
async fn a_request_stored_without_its_first_events_gets_them_back_on_restart() {
    let server = TestServer::start().await;
    let record = tandem_server::store::SessionRecord {
        id: "s_cut_short".into(),
        site: tandem_tests::SITE.into(),
        visitor_id: "v_cut_short".into(),
        visitor_name: None,
        state: protocol::SessionState::Queued,
        topic: None,
        first_message: "My card was charged twice".into(),
        page: None,
        agent: None,
        requested_at: tandem_server::clock::now_ms(),
        accepted_at: None,
        ended_at: None,
        ended_by: None,
        last_seq: 0,
        receipts: Default::default(),
        callback: None,
        wrapup: None,
    };
    server
        .running
        .store
        .touch_visitor("v_cut_short", tandem_tests::SITE, record.requested_at)
        .await
        .expect("visitor stored");
    server
        .running
        .store
        .create_session(&record)
        .await
        .expect("row stored");
    let server = server.restart().await;
    let events = server
        .running
        .store
        .events_after("s_cut_short", 0, 10)
        .await
        .expect("events read");
    let bodies: Vec<_> = events.iter().map(|e| (e.seq, e.body.clone())).collect();
    assert_eq!(
        bodies,
        [
            (1, protocol::EventBody::Requested { topic: None }),
            (
                2,
                protocol::EventBody::Message {
                    text: "My card was charged twice".into(),
                    client_id: None
                }
            ),
        ]
    );
}
