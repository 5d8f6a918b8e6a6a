//! The distributor through a real server: offers go to one chosen agent,
//! move on when they ring out or are declined, honour skills and the
//! customer's last agent, and visitors get a wait estimate.

use protocol::{ClientFrame, ErrorCode, ServerFrame, SessionState};
use tandem_tests::{Client, TestServer, session_id};

/// An online agent with skills, ready for offers.
async fn online_agent(server: &TestServer, email: &str, skills: &[&str]) -> Client {
    let password = server.add_skilled_agent(email, email, skills, 2).await;
    let token = server.login(email, &password).await.unwrap();
    let mut agent = server.agent_client(&token).await;
    agent.go_online().await;
    agent
}

async fn request(
    server: &TestServer,
    topic: Option<&str>,
    token: Option<String>,
) -> (Client, String, String) {
    let (mut visitor, token, _) = server.visitor(token).await;
    let help = ClientFrame::HelpRequest {
        client_id: None,
        topic: topic.map(str::to_string),
        message: "help please".into(),
        page: None,
    };
    visitor.send(help).await;
    let session = session_id(
        &visitor
            .expect(|f| matches!(f, ServerFrame::Session { .. }))
            .await,
    );
    (visitor, token, session)
}

fn offer_of(session: &str) -> impl Fn(&ServerFrame) -> bool + '_ {
    move |f| matches!(f, ServerFrame::Offer { session: s, .. } if s == session)
}

fn withdrawn(session: &str) -> impl Fn(&ServerFrame) -> bool + '_ {
    move |f| matches!(f, ServerFrame::OfferWithdrawn { session: s } if s == session)
}

#[tokio::test]
async fn a_request_is_offered_to_an_agent_with_the_skill() {
    let server = TestServer::start().await;
    let mut billing = online_agent(&server, "billing@example.com", &["billing"]).await;
    let mut tech = online_agent(&server, "tech@example.com", &["technical"]).await;
    let (mut visitor, _, session) = request(&server, Some("technical"), None).await;
    let offer = tech.expect(offer_of(&session)).await;
    let ServerFrame::Offer {
        item, expires_at, ..
    } = offer
    else {
        unreachable!()
    };
    assert_eq!(item.topic.as_deref(), Some("technical"));
    assert!(expires_at > 0);
    tech.send(ClientFrame::QueueAccept {
        session: session.clone(),
    })
    .await;
    visitor.expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active)).await;
    billing.expect_none(300, |i| matches!(i, tandem_tests::Incoming::Frame(f) if matches!(f.frame, ServerFrame::Offer { .. }))).await;
}

#[tokio::test]
async fn an_offer_that_rings_out_moves_to_the_next_agent_and_a_decline_too() {
    let server = TestServer::start_with(|c| c.ring_ms = 400).await;
    let mut a = online_agent(&server, "a@example.com", &[]).await;
    let mut b = online_agent(&server, "b@example.com", &[]).await;
    let (_visitor, _, session) = request(&server, None, None).await;
    // Whoever is offered first lets it ring out; the other gets it.
    let (first, second) = tokio::select! {
        _ = a.expect(offer_of(&session)) => (&mut a, &mut b),
        _ = b.expect(offer_of(&session)) => (&mut b, &mut a),
    };
    first.expect(withdrawn(&session)).await;
    second.expect(offer_of(&session)).await;
    // The second declines: it goes back to the first.
    second
        .send(ClientFrame::OfferDecline {
            session: session.clone(),
        })
        .await;
    first.expect(offer_of(&session)).await;
    first
        .send(ClientFrame::QueueAccept {
            session: session.clone(),
        })
        .await;
    first.expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active)).await;
    let rid = second
        .send(ClientFrame::QueueAccept {
            session: session.clone(),
        })
        .await;
    assert_eq!(
        second.expect_error(Some(rid)).await,
        ErrorCode::AlreadyTaken
    );
}

#[tokio::test]
async fn a_returning_customer_is_offered_to_their_last_agent() {
    let server = TestServer::start().await;
    let mut a = online_agent(&server, "a@example.com", &[]).await;
    let mut b = online_agent(&server, "b@example.com", &[]).await;
    let (mut visitor, token, first) = request(&server, None, None).await;
    // Whoever gets the first conversation serves it and ends it.
    let (served, _) = tokio::select! {
        _ = a.expect(offer_of(&first)) => (&mut a, &mut b),
        _ = b.expect(offer_of(&first)) => (&mut b, &mut a),
    };
    served
        .send(ClientFrame::QueueAccept {
            session: first.clone(),
        })
        .await;
    served.expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active)).await;
    served
        .send(ClientFrame::SessionEnd {
            session: first.clone(),
        })
        .await;
    visitor.expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Ended)).await;
    visitor.close().await;
    // Back again: the same agent is chosen although the other is as free.
    for _ in 0..3 {
        let (_v, _, again) = request(&server, None, Some(token.clone())).await;
        served.expect(offer_of(&again)).await;
        served
            .send(ClientFrame::OfferDecline {
                session: again.clone(),
            })
            .await;
        let (mut v, _, _) = server.visitor(Some(token.clone())).await;
        let _ = v
            .send(ClientFrame::HelpCancel {
                session: again.clone(),
            })
            .await;
        v.expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Ended)).await;
    }
}

#[tokio::test]
async fn waiting_visitors_get_a_wait_estimate() {
    let server = TestServer::start().await;
    let (mut first, _, _) = request(&server, None, None).await;
    let position = first
        .expect(|f| matches!(f, ServerFrame::QueuePosition { .. }))
        .await;
    assert!(
        matches!(
            position,
            ServerFrame::QueuePosition {
                eta_secs: None,
                agents_online: 0,
                ..
            }
        ),
        "{position:?}"
    );
    let _agent = online_agent(&server, "a@example.com", &[]).await;
    let position = first
        .expect(|f| {
            matches!(
                f,
                ServerFrame::QueuePosition {
                    agents_online: 1,
                    ..
                }
            )
        })
        .await;
    assert!(
        matches!(
            position,
            ServerFrame::QueuePosition {
                eta_secs: Some(0),
                ..
            }
        ),
        "a free agent: no wait, {position:?}"
    );
}

#[tokio::test]
async fn queue_accept_right_after_the_request_is_announced_finds_it_waiting() {
    // The request path used to announce the session to the visitor, store
    // its first events and only then tell the distributor: an agent who
    // accepted the moment the id was known got `already_taken`. (Frames
    // come faster than people type: the per-connection limit is lifted.)
    let server = TestServer::start_with(|c| c.frames_per_second = 10_000).await;
    let mut agent = online_agent(&server, "alex@example.com", &[]).await;
    let (mut visitor, _, _) = server.visitor(None).await;
    for round in 0..40 {
        let session = visitor.ask_for_help(&format!("round {round}")).await;
        let rid = agent
            .send(ClientFrame::QueueAccept {
                session: session.clone(),
            })
            .await;
        loop {
            let env = agent.recv().await.expect("an answer to queue.accept");
            match env.frame {
                ServerFrame::Session { session: s }
                    if s.id == session && s.state == SessionState::Active =>
                {
                    break;
                }
                ServerFrame::Error { code, .. } if env.rid == Some(rid) => {
                    panic!("round {round}: queue.accept answered {code:?}")
                }
                _ => {}
            }
        }
        visitor.end_session(&session).await;
    }
}
