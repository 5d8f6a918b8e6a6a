//! When nobody can answer: the visitor is told why (no agent, closed, long
//! wait), leaves a message or asks to be called back, and the request is
//! offered to agents once due, survives a restart, and refuses bad input.

use protocol::{Callback, ClientFrame, ErrorCode, ServerFrame, SessionState, Unavailable};
use tandem_server::clock::now_ms;
use tandem_server::store::Site;
use tandem_tests::{Client, SITE, TestServer};

async fn told(visitor: &mut Client, why: Unavailable) {
    visitor
        .expect(
            |f| matches!(f, ServerFrame::QueuePosition { unavailable: Some(u), .. } if *u == why),
        )
        .await;
}

async fn set_site(server: &TestServer, change: impl FnOnce(&mut Site)) {
    let store = server.running.store.as_ref();
    let mut site = store.site(SITE).await.unwrap().unwrap();
    change(&mut site);
    store.upsert_site(&site, now_ms()).await.unwrap();
}

#[tokio::test]
async fn with_nobody_online_a_call_back_is_offered_to_the_first_agent_who_comes() {
    let server = TestServer::start().await;
    let (mut visitor, _, _) = server.visitor(None).await;
    let session = visitor.ask_for_help("is the blue sofa in stock?").await;
    told(&mut visitor, Unavailable::NoAgents).await;

    // Mistakes are refused with a reason, and change nothing.
    let bad_email = r#"{"v":1,"rid":7,"type":"callback.request","session":"S","callback":{"kind":"message","email":"ann.example.com"}}"#;
    visitor.send_raw(&bad_email.replace('S', &session)).await;
    assert_eq!(visitor.expect_error(Some(7)).await, ErrorCode::InvalidFrame);
    let past = ClientFrame::CallbackRequest {
        session: session.clone(),
        callback: Callback::Phone {
            phone: "+33 6 12 34 56 78".into(),
            at: Some(now_ms() - 3_600_000),
        },
    };
    let rid = visitor.send(past).await;
    assert_eq!(
        visitor.expect_error(Some(rid)).await,
        ErrorCode::InvalidFrame
    );
    // Another visitor cannot book on this session.
    let (mut stranger, _, _) = server.visitor(None).await;
    let rid = stranger
        .send(ClientFrame::CallbackRequest {
            session: session.clone(),
            callback: Callback::Browser,
        })
        .await;
    assert_eq!(stranger.expect_error(Some(rid)).await, ErrorCode::Forbidden);

    let phone = Callback::Phone {
        phone: "+33 6 12 34 56 78".into(),
        at: None,
    };
    visitor
        .send(ClientFrame::CallbackRequest {
            session: session.clone(),
            callback: phone.clone(),
        })
        .await;
    let booked = visitor
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.callback.is_some()))
        .await;
    let ServerFrame::Session { session: summary } = booked else {
        unreachable!()
    };
    assert_eq!(summary.callback, Some(phone.clone()));
    assert_eq!(summary.state, SessionState::Queued);

    // An agent comes online: the call back rings like a request, with the number.
    let (mut agent, _) = server.agent("alex@example.com", "Alex").await;
    agent.go_online().await;
    let offer = agent
        .expect(|f| matches!(f, ServerFrame::Offer { .. }))
        .await;
    let ServerFrame::Offer { item, .. } = offer else {
        unreachable!()
    };
    assert_eq!(item.session, session);
    assert_eq!(item.callback, Some(phone.clone()));
    assert_eq!(item.due_at, None, "due now");
    agent
        .send(ClientFrame::QueueAccept {
            session: session.clone(),
        })
        .await;
    let taken = agent
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active))
        .await;
    let ServerFrame::Session { session: summary } = taken else {
        unreachable!()
    };
    assert_eq!(summary.callback, Some(phone));

    // The transcript says what was asked for; no more changes once taken.
    let events = agent.history(&session).await;
    assert!(
        events
            .iter()
            .any(|e| e.body.kind() == "callback" && e.author == protocol::Role::Visitor)
    );
    let rid = visitor
        .send(ClientFrame::CallbackRequest {
            session,
            callback: Callback::Browser,
        })
        .await;
    assert_eq!(
        visitor.expect_error(Some(rid)).await,
        ErrorCode::InvalidFrame
    );
}

#[tokio::test]
async fn a_call_back_booked_for_later_waits_for_its_time_across_a_restart() {
    let server = TestServer::start().await;
    let (mut visitor, token, _) = server.visitor(None).await;
    let session = visitor.ask_for_help("please call me about my order").await;
    told(&mut visitor, Unavailable::NoAgents).await;
    let at = now_ms() + 3_600_000;
    let booked = Callback::Phone {
        phone: "(555) 123-4567".into(),
        at: Some(at),
    };
    visitor
        .send(ClientFrame::CallbackRequest {
            session: session.clone(),
            callback: booked.clone(),
        })
        .await;
    visitor
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.callback.is_some()))
        .await;
    visitor.close().await;

    let server = server.restart().await;
    let (mut visitor, _, welcome) = server.visitor(Some(token)).await;
    let ServerFrame::Welcome { sessions, .. } = welcome else {
        unreachable!()
    };
    assert_eq!(
        sessions[0].callback,
        Some(booked.clone()),
        "kept across the restart"
    );
    // A booked call back has no place in line.
    visitor
        .expect_none(300, |f| {
            matches!(f, tandem_tests::Incoming::Frame(e) if matches!(e.frame, ServerFrame::QueuePosition { .. }))
        })
        .await;

    // Agents see it waiting with its time, are not rung before it, and may
    // still take it early by hand.
    let (mut agent, _) = server.agent("alex@example.com", "Alex").await;
    agent.go_online().await;
    let queue = agent
        .expect(|f| matches!(f, ServerFrame::Queue { items, .. } if !items.is_empty()))
        .await;
    let ServerFrame::Queue { items, .. } = queue else {
        unreachable!()
    };
    assert_eq!(items[0].callback, Some(booked));
    assert_eq!(items[0].due_at, Some(at));
    agent
        .expect_none(300, |f| {
            matches!(f, tandem_tests::Incoming::Frame(e) if matches!(e.frame, ServerFrame::Offer { .. }))
        })
        .await;
    agent.accept(&session).await;
}

/// Monday = 0, from the Unix epoch (a Thursday).
fn weekday_today() -> i64 {
    (now_ms() / 86_400_000 + 3).rem_euclid(7)
}

#[tokio::test]
async fn outside_opening_hours_and_over_the_wait_limit_visitors_are_told_why() {
    let server = TestServer::start().await;
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let tomorrow = DAYS[((weekday_today() + 1) % 7) as usize];
    set_site(&server, |s| {
        s.hours = Some(format!("{tomorrow} 00:00-24:00"));
        s.timezone = Some("UTC".into());
    })
    .await;
    // One agent with room for one conversation.
    let password = server.add_agent("bo@example.com", "Bo", 1).await;
    let token = server.login("bo@example.com", &password).await.unwrap();
    let mut agent = server.agent_client(&token).await;
    agent.go_online().await;

    let (mut first, _, _) = server.visitor(None).await;
    let session = first.ask_for_help("are you open?").await;
    told(&mut first, Unavailable::Closed).await;
    agent
        .send(ClientFrame::QueueAccept {
            session: session.clone(),
        })
        .await;
    first
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active))
        .await;

    // Open all week, but waits over a second are too long: the agent is full.
    set_site(&server, |s| {
        s.hours = None;
        s.max_wait_secs = Some(1);
    })
    .await;
    let (mut second, _, _) = server.visitor(None).await;
    second.ask_for_help("hello?").await;
    let place = second
        .expect(|f| matches!(f, ServerFrame::QueuePosition { .. }))
        .await;
    let ServerFrame::QueuePosition {
        position,
        eta_secs,
        unavailable,
        ..
    } = place
    else {
        unreachable!()
    };
    assert_eq!(position, 1);
    assert!(eta_secs.is_some_and(|s| s > 1), "{eta_secs:?}");
    assert_eq!(unavailable, Some(Unavailable::LongWait));
}
