//! Wrap-ups: once a chat has ended, its agent tags it with a disposition and
//! an optional note. Stored on the session and in the transcript (agents
//! only: the visitor's copy is redacted), refused from anyone else, for an
//! unknown tag, a long note or a session still going; and the ended chat
//! holds the agent's slot until the wrap-up (after-call work).

use protocol::limits::MAX_WRAPUP_NOTE_CHARS;
use protocol::{ClientFrame, ErrorCode, EventBody, ServerFrame};
use tandem_tests::{Client, TestServer, session_id};

fn wrapup(session: &str, disposition: &str, note: Option<&str>) -> ClientFrame {
    ClientFrame::SessionWrapup {
        session: session.into(),
        disposition: disposition.into(),
        note: note.map(str::to_string),
    }
}

/// The error answering request `rid`, with its message.
async fn error_of(client: &mut Client, rid: u64) -> (ErrorCode, String) {
    loop {
        let env = client.recv().await.expect("an error frame");
        if let ServerFrame::Error { code, message, .. } = env.frame
            && env.rid == Some(rid)
        {
            return (code, message);
        }
    }
}

async fn transcript(server: &TestServer, token: &str, session: &str) -> serde_json::Value {
    server
        .get_json(&format!("/api/v1/sessions/{session}/transcript"), token)
        .await
}

fn is_wrapup(f: &ServerFrame) -> bool {
    matches!(f, ServerFrame::Event { event, .. } if matches!(event.body, EventBody::Wrapup { .. }))
}

#[tokio::test]
async fn the_agent_wraps_up_an_ended_chat_and_may_correct_it() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("where is my parcel?").await;
    // Not while the chat goes on.
    let rid = a.agent.send(wrapup(&a.session, "resolved", None)).await;
    let (code, _) = error_of(&mut a.agent, rid).await;
    assert_eq!(code, ErrorCode::SessionNotEnded);

    a.agent_ends().await;
    a.agent
        .send(wrapup(
            &a.session,
            "follow_up",
            Some("  call back on Monday  "),
        ))
        .await;
    let ServerFrame::Event { event, .. } = a.agent.expect(is_wrapup).await else {
        unreachable!()
    };
    assert_eq!(
        event.body,
        EventBody::Wrapup {
            disposition: "follow_up".into(),
            note: Some("call back on Monday".into()),
        }
    );
    assert_eq!(event.author_name.as_deref(), Some("Alex"));
    let stored = server.stored_session(&a.session).await;
    let w = stored.wrapup.expect("stored on the session");
    assert_eq!(
        (w.disposition.as_str(), w.note.as_deref()),
        ("follow_up", Some("call back on Monday"))
    );
    assert_eq!(stored.last_seq, event.seq, "numbered after the end");

    // A second wrap-up replaces the tag; the transcript keeps both.
    a.agent.send(wrapup(&a.session, "resolved", None)).await;
    a.agent.expect(is_wrapup).await;
    let body = transcript(&server, &a.agent_token, &a.session).await;
    assert_eq!(body["wrapup"]["disposition"], "resolved", "{body}");
    assert!(body["wrapup"].get("note").is_none(), "{body}");
    let kinds: Vec<&str> = body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        &kinds[kinds.len() - 3..],
        ["ended", "wrapup", "wrapup"],
        "{kinds:?}"
    );
}

#[tokio::test]
async fn only_the_sessions_agent_may_wrap_it_up() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("hello").await;
    a.agent_ends().await;
    let rid = a.visitor.send(wrapup(&a.session, "spam", None)).await;
    assert_eq!(error_of(&mut a.visitor, rid).await.0, ErrorCode::Forbidden);
    let (mut other, _) = server.agent("sam@example.com", "Sam").await;
    let rid = other.send(wrapup(&a.session, "spam", None)).await;
    assert_eq!(error_of(&mut other, rid).await.0, ErrorCode::Forbidden);
    let rid = other.send(wrapup("s_missing", "spam", None)).await;
    assert_eq!(error_of(&mut other, rid).await.0, ErrorCode::UnknownSession);
    let stored = server.stored_session(&a.session).await;
    assert_eq!(stored.wrapup, None, "nothing was stored");
}

#[tokio::test]
async fn bad_wrap_ups_get_a_clear_error_and_change_nothing() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("hello").await;
    a.agent_ends().await;
    let rid = a
        .agent
        .send(wrapup(&a.session, "won_the_lottery", None))
        .await;
    let (code, message) = error_of(&mut a.agent, rid).await;
    assert_eq!(code, ErrorCode::InvalidFrame);
    assert!(
        message.contains("unknown disposition") && message.contains("resolved"),
        "{message}"
    );
    let long = "n".repeat(MAX_WRAPUP_NOTE_CHARS + 1);
    let rid = a
        .agent
        .send(wrapup(&a.session, "resolved", Some(&long)))
        .await;
    let (code, message) = error_of(&mut a.agent, rid).await;
    assert_eq!(code, ErrorCode::InvalidFrame);
    assert!(message.contains("note is longer than"), "{message}");
    let stored = server.stored_session(&a.session).await;
    assert_eq!(stored.wrapup, None);
    let body = transcript(&server, &a.agent_token, &a.session).await;
    assert!(!body["events"].to_string().contains("wrapup"), "{body}");
}

#[tokio::test]
async fn the_visitor_sees_the_wrap_up_redacted_and_agents_see_it_whole() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("hello").await;
    a.agent_ends().await;
    a.agent
        .send(wrapup(&a.session, "sale", Some("bought the warranty")))
        .await;
    let ServerFrame::Event { event, .. } = a.agent.expect(is_wrapup).await else {
        unreachable!()
    };
    // Live: the still-connected visitor gets the same seq, redacted.
    let live = a
        .visitor
        .expect(|f| matches!(f, ServerFrame::Event { event: e, .. } if e.seq == event.seq))
        .await;
    assert_eq!(
        serde_json::to_value(&live).unwrap()["event"]["kind"],
        "redacted"
    );
    let events = a.visitor.history(&a.session).await;
    let text = serde_json::to_string(&events).unwrap();
    assert!(
        !text.contains("warranty") && !text.contains("sale"),
        "{text}"
    );
    let last = events.last().unwrap();
    assert_eq!((last.seq, &last.body), (event.seq, &EventBody::Redacted));
    let events = a.agent.history(&a.session).await;
    assert_eq!(events.last().unwrap(), &event);
}

#[tokio::test]
async fn an_ended_chat_holds_the_agents_slot_until_the_wrap_up() {
    let server = TestServer::start().await;
    let password = server.add_agent("solo@example.com", "Solo", 1).await;
    let token = server.login("solo@example.com", &password).await.unwrap();
    let mut agent = server.agent_client(&token).await;
    agent.go_online().await;
    let offered = |f: &ServerFrame| matches!(f, ServerFrame::Offer { .. });
    let ask = |text: &str| ClientFrame::HelpRequest {
        topic: None,
        message: text.into(),
        client_id: None,
        page: None,
    };
    let (mut first, _, _) = server.visitor(None).await;
    first.send(ask("first")).await;
    let ServerFrame::Offer { session, .. } = agent.expect(offered).await else {
        unreachable!()
    };
    agent
        .send(ClientFrame::QueueAccept {
            session: session.clone(),
        })
        .await;
    agent.end_session(&session).await;
    let (mut second, _, _) = server.visitor(None).await;
    second.send(ask("second")).await;
    let waiting = session_id(
        &second
            .expect(|f| matches!(f, ServerFrame::Session { .. }))
            .await,
    );
    // Capacity 1, in after-call work: no offer while the agent writes it up.
    agent
        .expect_none(600, |i| {
            matches!(i, tandem_tests::Incoming::Frame(env) if matches!(env.frame, ServerFrame::Offer { .. }))
        })
        .await;
    agent.send(wrapup(&session, "resolved", None)).await;
    let ServerFrame::Offer { session: next, .. } = agent.expect(offered).await else {
        unreachable!()
    };
    assert_eq!(next, waiting);
}
