//! The customer panel's data: identities the site signs are verified, a bad
//! signature is refused (and the identity kept as unverified), and the panel
//! of a returning visitor holds this visit's pages and the earlier
//! conversation with its private notes. Only the session's agent may read it.

use protocol::{ClientFrame, ErrorCode, ServerFrame, SessionState, VisitorIdentity};
use tandem_server::auth::identity;
use tandem_tests::{Accepted, TestServer, session_id};

async fn panel(server: &TestServer, token: &str, session: &str) -> (u16, serde_json::Value) {
    let res = reqwest::Client::new()
        .get(server.http(&format!("/api/v1/sessions/{session}/customer")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

fn ann() -> VisitorIdentity {
    VisitorIdentity {
        id: Some("user-4711".into()),
        name: Some("Ann Lee".into()),
        email: Some("ann@example.com".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn signed_identities_are_verified_and_forged_ones_are_not() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("hello").await;
    let rid = a
        .visitor
        .send(ClientFrame::Identify {
            identity: ann(),
            hash: Some("00".repeat(32)),
        })
        .await;
    assert_eq!(
        a.visitor.expect_error(Some(rid)).await,
        ErrorCode::IdentityNotVerified
    );
    // Each identify re-announces the session to the agent once it is stored.
    let announced = |f: &ServerFrame| matches!(f, ServerFrame::Session { .. });
    a.agent.expect(announced).await;
    let (status, body) = panel(&server, &a.agent_token, &a.session).await;
    assert_eq!(status, 200);
    assert_eq!(body["visitor"]["identity"]["name"], "Ann Lee");
    assert_eq!(body["visitor"]["identity"]["verified"], false);

    let secret = identity::site_secret(server.running.store.as_ref(), "demo")
        .await
        .unwrap();
    a.visitor
        .send(ClientFrame::Identify {
            identity: VisitorIdentity {
                verified: true, // a page's own claim counts for nothing
                ..ann()
            },
            hash: Some(identity::signature(&secret, "user-4711")),
        })
        .await;
    // The header the agent sees follows the name; then the panel says verified.
    a.agent.expect(announced).await;
    let (_, body) = panel(&server, &a.agent_token, &a.session).await;
    assert_eq!(body["visitor"]["identity"]["verified"], true, "{body}");
    // An unsigned identify afterwards is unverified again: a page cannot keep
    // the verified mark while changing who it claims to be.
    a.visitor
        .send(ClientFrame::Identify {
            identity: VisitorIdentity {
                id: Some("user-1".into()),
                ..ann()
            },
            hash: None,
        })
        .await;
    a.agent.expect(announced).await;
    let (_, body) = panel(&server, &a.agent_token, &a.session).await;
    assert_eq!(body["visitor"]["identity"]["verified"], false, "{body}");
}

#[tokio::test]
async fn a_returning_visitor_brings_pages_and_earlier_conversations() {
    let server = TestServer::start().await;
    let Accepted {
        mut agent,
        agent_token,
        mut visitor,
        session: first,
        ..
    } = server.accepted_session("my order #1043 never came").await;
    agent
        .send(ClientFrame::NoteAdd {
            session: first.clone(),
            text: "reshipped with express".into(),
        })
        .await;
    agent
        .send(ClientFrame::SessionEnd {
            session: first.clone(),
        })
        .await;
    visitor
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Ended))
        .await;
    // (The harness's hello already reported the cart page.)
    for (url, title) in [
        ("https://shop.example/orders", "Orders"),
        ("https://shop.example/checkout", "Checkout"),
    ] {
        visitor
            .send(ClientFrame::PageView {
                page: protocol::PageInfo {
                    url: url.into(),
                    title: title.into(),
                },
            })
            .await;
    }
    visitor
        .send(ClientFrame::HelpRequest {
            topic: None,
            message: "it is late again".into(),
            client_id: None,
            page: None,
        })
        .await;
    let second = session_id(
        &visitor
            .expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Queued))
            .await,
    );
    agent
        .expect(|f| matches!(f, ServerFrame::Queue { items, .. } if items.iter().any(|i| i.session == second)))
        .await;
    agent
        .send(ClientFrame::QueueAccept {
            session: second.clone(),
        })
        .await;
    visitor
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.id == second && session.state == SessionState::Active))
        .await;

    let (status, body) = panel(&server, &agent_token, &second).await;
    assert_eq!(status, 200, "{body}");
    let pages: Vec<&str> = body["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(pages, ["Checkout", "Orders", "Cart"], "newest first");
    let previous = body["previous"].as_array().unwrap();
    assert_eq!(previous.len(), 1, "{body}");
    assert_eq!(previous[0]["session"]["id"], first.as_str());
    let text = previous[0]["events"].to_string();
    assert!(text.contains("never came"), "{text}");
    assert!(text.contains("reshipped with express"), "the note: {text}");

    // Another agent may not read it; without credentials, nobody may.
    let (other, other_token) = server.agent("sam@example.com", "Sam").await;
    drop(other);
    assert_eq!(panel(&server, &other_token, &second).await.0, 403);
    assert_eq!(panel(&server, "nonsense", &second).await.0, 401);
    assert_eq!(panel(&server, &agent_token, "s_missing").await.0, 404);
}

/// A new visitor (a device) that tells the site's user id, signed or not.
async fn device(server: &TestServer, user: &str, signed: bool) -> tandem_tests::Client {
    let secret = identity::site_secret(server.running.store.as_ref(), "demo")
        .await
        .unwrap();
    let (mut visitor, _, _) = server.visitor(None).await;
    // (A connection's frames are handled in order: the identity is stored
    // before any later request.)
    visitor
        .send(ClientFrame::Identify {
            identity: VisitorIdentity {
                id: Some(user.into()),
                ..ann()
            },
            hash: signed.then(|| identity::signature(&secret, user)),
        })
        .await;
    visitor
}

/// Whether `agent` is offered `session` within `ms`.
async fn offered(agent: &mut tandem_tests::Client, session: &str, ms: u64) -> bool {
    let wait = async {
        loop {
            match agent.recv().await {
                Ok(env) => {
                    if matches!(&env.frame, ServerFrame::Offer { session: s, .. } if s == session) {
                        return true;
                    }
                }
                Err(_) => return false,
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_millis(ms), wait)
        .await
        .unwrap_or(false)
}

/// The device asks for help; returns the session and the agent it was offered to.
async fn ask(
    device: &mut tandem_tests::Client,
    agents: &mut [&mut tandem_tests::Client],
    text: &str,
) -> (String, usize) {
    device
        .send(ClientFrame::HelpRequest {
            topic: None,
            message: text.into(),
            client_id: None,
            page: None,
        })
        .await;
    let session = session_id(
        &device
            .expect(|f| matches!(f, ServerFrame::Session { .. }))
            .await,
    );
    // Exactly one agent rings: find out which.
    for (i, agent) in agents.iter_mut().enumerate() {
        if offered(agent, &session, 1500).await {
            agent
                .send(ClientFrame::QueueAccept {
                    session: session.clone(),
                })
                .await;
            device
                .expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active))
                .await;
            return (session, i);
        }
    }
    panic!("no agent was offered {session}");
}

#[tokio::test]
async fn a_verified_customer_is_one_customer_across_devices() {
    let server = TestServer::start().await;
    let (mut alex, alex_token) = server.agent("alex@example.com", "Alex").await;
    let (mut sam, sam_token) = server.agent("sam@example.com", "Sam").await;
    alex.go_online().await;
    sam.go_online().await;
    let tokens = [alex_token, sam_token];

    // Device 1 (verified as user-4711) talks to whoever is offered it, then ends.
    let mut phone = device(&server, "user-4711", true).await;
    let (first, served_by) = ask(&mut phone, &mut [&mut alex, &mut sam], "my phone chat").await;
    phone
        .send(ClientFrame::SessionEnd {
            session: first.clone(),
        })
        .await;
    phone
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Ended))
        .await;

    // Device 2, verified as the same user: the same agent is preferred, and
    // the panel brings the phone's conversation.
    let mut laptop = device(&server, "user-4711", true).await;
    let (second, agent) = ask(&mut laptop, &mut [&mut alex, &mut sam], "from my laptop").await;
    assert_eq!(agent, served_by, "the agent who served this customer last");
    let (status, body) = panel(&server, &tokens[agent], &second).await;
    assert_eq!(status, 200, "{body}");
    let previous = body["previous"].as_array().unwrap();
    assert_eq!(previous.len(), 1, "{body}");
    assert_eq!(previous[0]["session"]["id"], first.as_str());
    assert!(previous[0]["events"].to_string().contains("my phone chat"));

    // Device 3 claims the same user id without the site's signature: a
    // stranger as far as the panel is concerned.
    let mut tablet = device(&server, "user-4711", false).await;
    let (third, agent) = ask(&mut tablet, &mut [&mut alex, &mut sam], "tablet here").await;
    let (status, body) = panel(&server, &tokens[agent], &third).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["previous"].as_array().unwrap().len(), 0, "{body}");
    assert_eq!(body["visitor"]["identity"]["verified"], false);
}
