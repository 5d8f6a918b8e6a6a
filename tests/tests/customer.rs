//! The customer panel's data: identities the site signs are verified, a bad
//! signature is refused (and the identity kept as unverified), and the panel
//! of a returning visitor holds this visit's pages and the earlier
//! conversation with its private notes. Only the session's agent may read it.
//! Identity tokens expire; the bare hash of a user id, which never does,
//! verifies only on a site that still turns it on.

use protocol::{ClientFrame, ErrorCode, ServerFrame, SessionState, VisitorIdentity};
use serde_json::json;
use tandem_server::auth::{identity, identity_token};
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

/// The demo site's identity secret, as its backend holds it.
async fn site_secret(server: &TestServer) -> String {
    identity::site_secret(server.running.store.as_ref(), "demo")
        .await
        .unwrap()
}

/// Unix seconds now.
fn now() -> i64 {
    tandem_server::clock::now_ms() / 1000
}

/// An identity token for `user` as the site's backend signs it, expiring at `exp`.
fn token(secret: &str, user: &str, exp: i64) -> String {
    identity_token::sign(
        secret,
        &json!({"sub": user, "exp": exp, "iat": now(), "email": "ann@example.com"}),
    )
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
    let secret = site_secret(&server).await;
    let rid = a
        .visitor
        .send(ClientFrame::Identify {
            identity: ann(),
            token: Some(token("not the site's secret", "user-4711", now() + 600)),
            hash: None,
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

    a.visitor
        .send(ClientFrame::Identify {
            identity: VisitorIdentity {
                verified: true, // a page's own claim counts for nothing
                ..ann()
            },
            token: Some(token(&secret, "user-4711", now() + 600)),
            hash: None,
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
            token: None,
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

    // Another agent may not read it (a supervisor may: tests/authz.rs);
    // without credentials, nobody may.
    let sam = protocol::api::AgentRole::Agent;
    let password = server
        .add_agent_with_roles("sam@example.com", "Sam", &[], 1, &[sam])
        .await;
    let other_token = server.login("sam@example.com", &password).await.unwrap();
    assert_eq!(panel(&server, &other_token, &second).await.0, 403);
    assert_eq!(panel(&server, "nonsense", &second).await.0, 401);
    assert_eq!(panel(&server, &agent_token, "s_missing").await.0, 404);
}

/// A new visitor (a device) that tells the site's user id, with the site's
/// identity token or without.
async fn device(server: &TestServer, user: &str, signed: bool) -> tandem_tests::Client {
    let secret = site_secret(server).await;
    let proof = Proof {
        token: signed.then(|| token(&secret, user, now() + 600)),
        hash: None,
    };
    device_with(server, user, proof).await.0
}

/// What a page passes to `identify` besides the identity.
struct Proof {
    token: Option<String>,
    hash: Option<String>,
}

/// A new visitor that identifies as `user` with `proof`; returns it and the
/// identify's request id.
async fn device_with(server: &TestServer, user: &str, proof: Proof) -> (tandem_tests::Client, u64) {
    let (mut visitor, _, _) = server.visitor(None).await;
    // (A connection's frames are handled in order: the identity is stored
    // before any later request.)
    let rid = visitor
        .send(ClientFrame::Identify {
            identity: VisitorIdentity {
                id: Some(user.into()),
                ..ann()
            },
            token: proof.token,
            hash: proof.hash,
        })
        .await;
    (visitor, rid)
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
    phone.end_session(&first).await;

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

/// user-4711's earlier conversation, from a device the site verified.
async fn earlier_conversation(server: &TestServer, agent: &mut tandem_tests::Client) -> String {
    let mut phone = device(server, "user-4711", true).await;
    let (first, _) = ask(&mut phone, &mut [agent], "my card was charged twice").await;
    phone.end_session(&first).await;
    first
}

/// What `agent_token`'s panel says of `session`: verified, and how many
/// earlier conversations it shows.
async fn trust(server: &TestServer, agent_token: &str, session: &str) -> (bool, usize) {
    let (status, body) = panel(server, agent_token, session).await;
    assert_eq!(status, 200, "{body}");
    let verified = body["visitor"]["identity"]["verified"] == true;
    (verified, body["previous"].as_array().unwrap().len())
}

#[tokio::test]
async fn a_replayed_identity_hash_does_not_verify_without_the_legacy_switch() {
    let server = TestServer::start().await;
    let (mut alex, alex_token) = server.agent("alex@example.com", "Alex").await;
    alex.go_online().await;
    earlier_conversation(&server, &mut alex).await;

    // The hash the site used to render into its pages, copied by a stranger.
    let secret = site_secret(&server).await;
    let replayed = || Proof {
        token: None,
        hash: Some(identity::signature(&secret, "user-4711")),
    };
    let (mut stranger, rid) = device_with(&server, "user-4711", replayed()).await;
    assert_eq!(
        stranger.expect_error(Some(rid)).await,
        ErrorCode::IdentityNotVerified
    );
    let (session, _) = ask(&mut stranger, &mut [&mut alex], "show me my orders").await;
    assert_eq!(
        trust(&server, &alex_token, &session).await,
        (false, 0),
        "a stranger, without the customer's history"
    );

    // An operator who turns the switch on for a site that still renders
    // hashes gets the old behaviour back, for that site only.
    let store = server.running.store.as_ref();
    let mut site = store.site("demo").await.unwrap().unwrap();
    site.legacy_identity_hash = true;
    store.upsert_site(&site, now() * 1000).await.unwrap();
    let (mut legacy, _) = device_with(&server, "user-4711", replayed()).await;
    let (session, _) = ask(&mut legacy, &mut [&mut alex], "hash era page").await;
    assert_eq!(trust(&server, &alex_token, &session).await, (true, 1));
}

#[tokio::test]
async fn an_expired_identity_token_is_refused() {
    let server = TestServer::start().await;
    let (mut alex, alex_token) = server.agent("alex@example.com", "Alex").await;
    alex.go_online().await;
    earlier_conversation(&server, &mut alex).await;

    let secret = site_secret(&server).await;
    for (what, exp) in [
        ("expired an hour ago", now() - 3600),
        ("valid for a year", now() + 365 * 86_400),
    ] {
        let proof = Proof {
            token: Some(token(&secret, "user-4711", exp)),
            hash: None,
        };
        let (mut stranger, rid) = device_with(&server, "user-4711", proof).await;
        assert_eq!(
            stranger.expect_error(Some(rid)).await,
            ErrorCode::IdentityNotVerified,
            "a token {what}"
        );
        let (session, _) = ask(&mut stranger, &mut [&mut alex], what).await;
        assert_eq!(
            trust(&server, &alex_token, &session).await,
            (false, 0),
            "{what}"
        );
        stranger.end_session(&session).await;
    }
}

#[tokio::test]
async fn a_verified_visitor_stays_verified_when_their_page_resends_an_expired_token() {
    // The widget repeats `identify` after every reconnect; a page left open
    // past its token's expiry must not lose its customer.
    let server = TestServer::start().await;
    let secret = site_secret(&server).await;
    let (mut visitor, _, welcome) = server.visitor(None).await;
    let ServerFrame::Welcome {
        visitor_id: Some(visitor_id),
        ..
    } = welcome
    else {
        panic!("a visitor welcome names the visitor")
    };
    for exp in [now() + 600, now() - 3600] {
        visitor
            .send(ClientFrame::Identify {
                identity: ann(),
                token: Some(token(&secret, "user-4711", exp)),
                hash: None,
            })
            .await;
    }
    // Frames are handled in order: an error for either identify would come
    // before this request's session.
    visitor
        .send(ClientFrame::HelpRequest {
            topic: None,
            message: "still me".into(),
            client_id: None,
            page: None,
        })
        .await;
    let next = visitor.recv().await.unwrap().frame;
    assert!(matches!(next, ServerFrame::Session { .. }), "{next:?}");
    let stored = server
        .running
        .store
        .visitor(&visitor_id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.identity.verified, "{:?}", stored.identity);
    assert_eq!(stored.identity.id.as_deref(), Some("user-4711"));
}

/// The site's screen pop: filled in for a verified customer, in the queue's
/// offer (so the console opens it on accept) and in the panel; never for an
/// identity the site did not sign, nor on a site without a template.
#[tokio::test]
async fn the_screen_pop_is_filled_for_verified_customers_only() {
    let server = TestServer::start().await;
    let store = server.running.store.as_ref();
    let mut site = store.site("demo").await.unwrap().unwrap();
    site.screen_pop =
        Some("https://crm.example.com/c/{external_id}?e={email}&s={session_id}".into());
    store.upsert_site(&site, now()).await.unwrap();
    let (mut agent, agent_token) = server.agent("alex@example.com", "Alex").await;
    agent.go_online().await;
    let secret = site_secret(&server).await;

    for signed in [true, false] {
        let (mut visitor, _, _) = server.visitor(None).await;
        visitor
            .send(ClientFrame::Identify {
                identity: ann(),
                token: signed.then(|| token(&secret, "user-4711", now() + 600)),
                hash: None,
            })
            .await;
        let session = visitor.ask_for_help("where is my order?").await;
        let offer = agent
            .expect(|f| matches!(f, ServerFrame::Offer { item, .. } if item.session == session))
            .await;
        let ServerFrame::Offer { item, .. } = offer else {
            unreachable!()
        };
        let want = signed.then(|| {
            format!("https://crm.example.com/c/user-4711?e=ann%40example.com&s={session}")
        });
        assert_eq!(item.screen_pop, want, "signed: {signed}");
        agent.accept(&session).await;
        let (_, body) = panel(&server, &agent_token, &session).await;
        assert_eq!(body["screen_pop"].as_str(), want.as_deref(), "{body}");
        visitor.end_session(&session).await;
    }

    // A site without a template pops nothing, verified or not.
    site.screen_pop = None;
    store.upsert_site(&site, now()).await.unwrap();
    let (mut visitor, _, _) = server.visitor(None).await;
    visitor
        .send(ClientFrame::Identify {
            identity: ann(),
            token: Some(token(&secret, "user-4711", now() + 600)),
            hash: None,
        })
        .await;
    let session = visitor.ask_for_help("hello again").await;
    let offer = agent
        .expect(|f| matches!(f, ServerFrame::Offer { item, .. } if item.session == session))
        .await;
    assert!(matches!(offer, ServerFrame::Offer { item, .. } if item.screen_pop.is_none()));
}
