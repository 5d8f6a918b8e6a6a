//! Every kind of bad input gets its documented error code, nothing crashes,
//! and other sessions carry on.

use protocol::limits::{MAX_FRAME_BYTES, MAX_TRANSPORT_BYTES};
use protocol::{AgentPresence, ClientFrame, CloseCode, ErrorCode, ServerFrame, SessionState};
use tandem_server::auth::{VisitorClaims, VisitorTokens};
use tandem_tests::{Client, SHOP_ORIGIN, SITE, TestServer, session_id};

/// A connected visitor who has said hello.
async fn visitor(server: &TestServer) -> Client {
    server.visitor(None).await.0
}

#[tokio::test]
async fn malformed_unknown_and_wrong_version_frames_get_error_codes() {
    let server = TestServer::start().await;
    let mut v = visitor(&server).await;
    let cases = [
        ("{not json", ErrorCode::MalformedJson),
        ("42", ErrorCode::MalformedJson),
        (r#"{"v":1,"type":"teleport"}"#, ErrorCode::UnknownType),
        (
            r#"{"v":9,"type":"chat.send","session":"s","text":"x"}"#,
            ErrorCode::UnsupportedVersion,
        ),
        (
            r#"{"type":"chat.send","session":"s","text":"x"}"#,
            ErrorCode::UnsupportedVersion,
        ),
        (
            r#"{"v":1,"type":"chat.send","session":"s"}"#,
            ErrorCode::InvalidFrame,
        ),
        (
            r#"{"v":1,"type":"chat.send","session":"s","text":"   "}"#,
            ErrorCode::InvalidFrame,
        ),
        (
            r#"{"v":1,"type":"chat.send","session":"nope","text":"hi"}"#,
            ErrorCode::UnknownSession,
        ),
        (
            r#"{"v":1,"type":"queue.accept","session":"s"}"#,
            ErrorCode::Forbidden,
        ),
        (r#"{"v":1,"type":"hello"}"#, ErrorCode::InvalidFrame),
    ];
    for (frame, code) in cases {
        v.send_raw(frame).await;
        let got = v.expect(|f| matches!(f, ServerFrame::Error { .. })).await;
        let ServerFrame::Error {
            code: got, message, ..
        } = got
        else {
            unreachable!()
        };
        assert_eq!(got, code, "for {frame}: {message}");
        assert!(!message.is_empty());
    }
    // The connection is still usable.
    v.send(ClientFrame::HelpRequest {
        client_id: None,
        topic: None,
        message: "still here".into(),
        page: None,
    })
    .await;
    v.expect(|f| matches!(f, ServerFrame::Session { .. })).await;
}

#[tokio::test]
async fn oversized_frames_are_refused_and_huge_ones_close_the_connection() {
    let server = TestServer::start().await;
    let mut v = visitor(&server).await;
    let big = format!(
        r#"{{"v":1,"type":"chat.send","session":"s","text":"{}"}}"#,
        "a".repeat(MAX_FRAME_BYTES)
    );
    v.send_raw(&big).await;
    assert_eq!(v.expect_error(None).await, ErrorCode::FrameTooLarge);
    // Still open after an over-limit frame…
    v.send(ClientFrame::PageView {
        page: protocol::PageInfo {
            url: "http://shop.test/".into(),
            title: "Home".into(),
        },
    })
    .await;
    v.expect_silence(200).await;
    // …but a frame over the transport limit (8 MiB, sized for page keyframes)
    // ends the connection with 1009.
    let huge = "b".repeat(MAX_TRANSPORT_BYTES + 10);
    // The server may reset the connection while the frame is still arriving.
    if v.try_send_raw(&huge).await.is_ok() {
        let code = v.expect_close().await;
        assert!(
            code.is_none() || code == Some(CloseCode::TooBig.code()),
            "close code {code:?}"
        );
    }
    // The server itself is fine.
    let mut fresh = visitor(&server).await;
    fresh
        .send(ClientFrame::HelpRequest {
            client_id: None,
            topic: None,
            message: "ok?".into(),
            page: None,
        })
        .await;
    fresh
        .expect(|f| matches!(f, ServerFrame::Session { .. }))
        .await;
}

#[tokio::test]
async fn frames_before_hello_are_refused() {
    let server = TestServer::start().await;
    let url = format!("{}/ws/visitor?site={SITE}", server.running.ws_url());
    let mut v = Client::connect(&url, Some(SHOP_ORIGIN)).await.unwrap();
    let rid = v
        .send(ClientFrame::HelpRequest {
            client_id: None,
            topic: None,
            message: "hi".into(),
            page: None,
        })
        .await;
    assert_eq!(v.expect_error(Some(rid)).await, ErrorCode::HelloRequired);
}

#[tokio::test]
async fn bad_forged_expired_and_foreign_site_tokens_are_rejected() {
    let server = TestServer::start().await;
    let key = server
        .running
        .store
        .setting_or_insert("visitor_token_key", "unused")
        .await
        .unwrap();
    let tokens = VisitorTokens::new(key.into_bytes());
    let expired = tokens.issue(&VisitorClaims {
        vid: "v_x".into(),
        site: SITE.into(),
        exp: 1,
    });
    let other_site = tokens.issue(&VisitorClaims {
        vid: "v_x".into(),
        site: "other".into(),
        exp: i64::MAX,
    });
    let forged = VisitorTokens::new(b"not the key".to_vec()).issue(&VisitorClaims {
        vid: "v_x".into(),
        site: SITE.into(),
        exp: i64::MAX,
    });
    for token in ["garbage".to_string(), expired, other_site, forged] {
        let url = format!("{}/ws/visitor?site={SITE}", server.running.ws_url());
        let mut v = Client::connect(&url, Some(SHOP_ORIGIN)).await.unwrap();
        let rid = v
            .send(ClientFrame::Hello {
                token: Some(token),
                page: None,
            })
            .await;
        assert_eq!(v.expect_error(Some(rid)).await, ErrorCode::BadToken);
        assert_eq!(v.expect_close().await, Some(CloseCode::BadToken.code()));
    }
    // Agents: no cookie and a wrong token.
    let mut a = Client::connect(&format!("{}/ws/agent", server.running.ws_url()), None)
        .await
        .unwrap();
    let rid = a
        .send(ClientFrame::Hello {
            token: Some("wrong".into()),
            page: None,
        })
        .await;
    assert_eq!(a.expect_error(Some(rid)).await, ErrorCode::BadToken);
    assert_eq!(a.expect_close().await, Some(CloseCode::BadToken.code()));
    // REST with a wrong token.
    let res = reqwest::Client::new()
        .get(server.http("/api/v1/me"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = reqwest::Client::new()
        .post(server.http("/api/v1/login"))
        .json(&serde_json::json!({"email": "nobody@example.com", "password": "whatever1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "bad_credentials");
}

#[tokio::test]
async fn visitors_and_agents_are_confined_to_their_own_sessions() {
    let server = TestServer::start().await;
    let (mut owner, _, _) = server.visitor(None).await;
    let session = owner.ask_for_help("mine").await;

    // Another visitor, with a valid token of their own, cannot touch it.
    let mut intruder = visitor(&server).await;
    for frame in [
        ClientFrame::ChatSend {
            session: session.clone(),
            client_id: None,
            text: "hi".into(),
        },
        ClientFrame::SessionSync {
            session: session.clone(),
            after_seq: 0,
        },
        ClientFrame::SessionEnd {
            session: session.clone(),
        },
        ClientFrame::Typing {
            session: session.clone(),
            active: true,
        },
    ] {
        let rid = intruder.send(frame).await;
        assert_eq!(intruder.expect_error(Some(rid)).await, ErrorCode::Forbidden);
    }

    // An agent who did not accept it cannot act on it either.
    let (mut agent, _) = server.agent("other@example.com", "Other").await;
    for frame in [
        ClientFrame::ChatSend {
            session: session.clone(),
            client_id: None,
            text: "hi".into(),
        },
        ClientFrame::SessionSync {
            session: session.clone(),
            after_seq: 0,
        },
        ClientFrame::SessionEnd {
            session: session.clone(),
        },
        ClientFrame::HelpRequest {
            client_id: None,
            topic: None,
            message: "agents cannot ask".into(),
            page: None,
        },
    ] {
        let rid = agent.send(frame).await;
        assert_eq!(agent.expect_error(Some(rid)).await, ErrorCode::Forbidden);
    }

    // A second request while one is open is refused.
    let rid = owner
        .send(ClientFrame::HelpRequest {
            client_id: None,
            topic: None,
            message: "again".into(),
            page: None,
        })
        .await;
    assert_eq!(owner.expect_error(Some(rid)).await, ErrorCode::SessionOpen);

    // The owner's session is untouched and still works.
    let stored = server
        .running
        .store
        .session(&session)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.state, SessionState::Queued);
    assert_eq!(stored.last_seq, 2);
    owner
        .send(ClientFrame::SessionSync {
            session: session.clone(),
            after_seq: 0,
        })
        .await;
    owner
        .expect(|f| matches!(f, ServerFrame::History { events, .. } if events.len() == 2))
        .await;
}

#[tokio::test]
async fn origins_not_allowed_and_unknown_sites_are_refused_at_upgrade() {
    let server = TestServer::start().await;
    let url = format!("{}/ws/visitor?site={SITE}", server.running.ws_url());
    for origin in [Some("http://evil.test"), None] {
        let err = Client::connect(&url, origin)
            .await
            .err()
            .expect("upgrade refused");
        assert!(err.to_string().contains("403"), "{err}");
    }
    let unknown = format!("{}/ws/visitor?site=nosuch", server.running.ws_url());
    let err = Client::connect(&unknown, Some(SHOP_ORIGIN))
        .await
        .err()
        .expect("upgrade refused");
    assert!(err.to_string().contains("404"), "{err}");
    // The agent socket refuses browsers on other origins (cross-site hijacking).
    let agent_url = format!("{}/ws/agent", server.running.ws_url());
    let err = Client::connect(&agent_url, Some("http://evil.test"))
        .await
        .err()
        .expect("upgrade refused");
    assert!(err.to_string().contains("403"), "{err}");
}

#[tokio::test]
async fn a_flood_is_rate_limited_and_other_sessions_are_unaffected() {
    let server = TestServer::start().await;
    let (mut agent, _) = server.agent("alex@example.com", "Alex").await;
    agent
        .send(ClientFrame::PresenceSet {
            presence: AgentPresence::Online,
        })
        .await;
    let (mut calm, _, _) = server.visitor(None).await;
    calm.send(ClientFrame::HelpRequest {
        client_id: None,
        topic: None,
        message: "calm".into(),
        page: None,
    })
    .await;
    let session = session_id(
        &calm
            .expect(|f| matches!(f, ServerFrame::Session { .. }))
            .await,
    );
    agent
        .expect(|f| matches!(f, ServerFrame::Queue { items, .. } if !items.is_empty()))
        .await;
    agent
        .send(ClientFrame::QueueAccept {
            session: session.clone(),
        })
        .await;
    calm.expect(
        |f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active),
    )
    .await;

    let mut noisy = visitor(&server).await;
    for _ in 0..200 {
        noisy.send_raw("{garbage").await;
    }
    let mut limited = false;
    while let Ok(env) = noisy.recv().await {
        if let ServerFrame::Error {
            code: ErrorCode::RateLimited,
            ..
        } = env.frame
        {
            limited = true;
        }
    }
    assert!(limited, "the flood was rate limited");

    calm.send(ClientFrame::ChatSend {
        session: session.clone(),
        client_id: None,
        text: "still fine".into(),
    })
    .await;
    agent
        .expect(|f| matches!(f, ServerFrame::Event { event, .. } if event.seq == 4))
        .await;
}

#[tokio::test]
async fn an_8_kib_frame_before_hello_closes_the_socket() {
    let server = TestServer::start().await;
    let url = format!("{}/ws/visitor?site={SITE}", server.running.ws_url());
    let mut v = Client::connect(&url, Some(SHOP_ORIGIN)).await.unwrap();
    // A hello padded to 8 KiB: an unauthenticated client gets kilobytes,
    // not the 8 MiB transport limit.
    let padded = format!(
        r#"{{"v":1,"type":"hello","page":{{"url":"http://shop.test/","title":"{}"}}}}"#,
        " ".repeat(8 * 1024)
    );
    if v.try_send_raw(&padded).await.is_ok() {
        let code = v.expect_close().await;
        assert!(
            code.is_none() || code == Some(CloseCode::TooBig.code()),
            "close code {code:?}"
        );
    }
    // After hello the same size is fine (the text limit is 64 KiB).
    let mut ok = visitor(&server).await;
    let page = format!(
        r#"{{"v":1,"type":"page.view","page":{{"url":"http://shop.test/","title":"{}"}}}}"#,
        " ".repeat(8 * 1024)
    );
    ok.send_raw(&page).await;
    ok.send(ClientFrame::HelpRequest {
        client_id: None,
        topic: None,
        message: "after a big frame".into(),
        page: None,
    })
    .await;
    ok.expect(|f| matches!(f, ServerFrame::Session { .. }))
        .await;
}

#[tokio::test]
async fn a_burst_of_500_malformed_frames_does_not_close_the_sender_as_lagging() {
    let server = TestServer::start().await;
    let mut v = visitor(&server).await;
    // Sent at once, without reading: 60 pass the rate limit (60 strikes,
    // under the 100 that close a connection as abusive) and get
    // `malformed_json`, the rest get `rate_limited`. 500 answers do not fit
    // the 256-frame queue; the answers that do not fit are dropped, the
    // connection is not closed for the server's own replies. (How many
    // answers arrive depends on how fast the server's writer drains.)
    let garbage: Vec<String> = (0..500).map(|i| format!("{{garbage {i}")).collect();
    v.send_burst(&garbage).await;
    let mut answers = 0;
    loop {
        match tokio::time::timeout(std::time::Duration::from_millis(500), v.recv()).await {
            Ok(Ok(env)) => {
                assert!(matches!(env.frame, ServerFrame::Error { .. }), "{env:?}");
                answers += 1;
            }
            Ok(Err(e)) => panic!("the connection ended after {answers} answers: {e}"),
            Err(_) => break, // quiet: every queued answer arrived
        }
    }
    assert!(answers > 0, "no answers");
    v.send(ClientFrame::HelpRequest {
        client_id: None,
        topic: None,
        message: "still connected".into(),
        page: None,
    })
    .await;
    v.expect(|f| matches!(f, ServerFrame::Session { .. })).await;
}

#[tokio::test]
async fn api_answers_are_never_cached() {
    let server = TestServer::start().await;
    let password = server.add_agent("alex@example.com", "Alex", 4).await;
    let token = server.login("alex@example.com", &password).await.unwrap();
    let client = reqwest::Client::new();
    let answers = [
        client
            .post(server.http("/api/v1/login"))
            .json(&serde_json::json!({"email": "alex@example.com", "password": password}))
            .send()
            .await
            .unwrap(),
        client
            .get(server.http("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
        client.get(server.http("/api/v1/me")).send().await.unwrap(),
        client
            .get(server.http("/api/v1/nothing-here"))
            .send()
            .await
            .unwrap(),
    ];
    for res in answers {
        assert_eq!(
            res.headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{} {}",
            res.url(),
            res.status()
        );
    }
}

#[tokio::test]
async fn a_megabyte_frame_before_hello_is_cut_off_after_kilobytes() {
    use tokio::io::AsyncWriteExt;
    let server = TestServer::start().await;
    let path = format!("/ws/visitor?site={SITE}");
    let mut raw = tandem_tests::raw::RawSocket::upgrade(
        server.running.addr,
        &path,
        &[("Origin", SHOP_ORIGIN)],
    )
    .await
    .unwrap();
    // A frame announcing 1 MiB, of which 64 KiB are sent; then the client
    // waits. The server must not wait (and buffer) for the rest: it stops
    // reading after a few kilobytes and closes.
    let mut head = vec![0x81, 0x80 | 127];
    head.extend_from_slice(&(1u64 << 20).to_be_bytes());
    head.extend_from_slice(&[1, 2, 3, 4]);
    raw.tcp.write_all(&head).await.unwrap();
    let _ = raw.tcp.write_all(&vec![b'x'; 64 * 1024]).await;
    let ended = raw
        .until_closed(tandem_tests::WAIT)
        .await
        .expect("closed within WAIT, before the frame was complete");
    assert!(
        ended.code.is_none() || ended.code == Some(CloseCode::TooBig.code()),
        "{ended:?}"
    );
}

#[tokio::test]
async fn a_javascript_page_url_is_never_stored() {
    let server = TestServer::start().await;
    let url = format!("{}/ws/visitor?site={SITE}", server.running.ws_url());
    let mut v = Client::connect(&url, Some(SHOP_ORIGIN)).await.unwrap();
    let page = |url: &str| protocol::PageInfo {
        url: url.into(),
        title: "Cart".into(),
    };
    // A hello with such a page is welcomed; the page is dropped.
    v.send(ClientFrame::Hello {
        token: None,
        page: Some(page("javascript:alert(document.cookie)")),
    })
    .await;
    let welcome = v.expect(|f| matches!(f, ServerFrame::Welcome { .. })).await;
    let ServerFrame::Welcome {
        visitor_id: Some(visitor_id),
        ..
    } = welcome
    else {
        unreachable!()
    };
    // A page view of one is refused.
    for bad in [
        "data:text/html,<script>alert(1)</script>",
        "javascript:alert(1)",
        &format!("https://shop.test/{}", "a".repeat(3000)),
    ] {
        let rid = v.send(ClientFrame::PageView { page: page(bad) }).await;
        assert_eq!(v.expect_error(Some(rid)).await, ErrorCode::InvalidFrame);
    }
    // A help request keeps its message and drops the page.
    v.send(ClientFrame::HelpRequest {
        topic: None,
        message: "my cart is empty".into(),
        client_id: None,
        page: Some(page("JavaScript:alert(1)")),
    })
    .await;
    let session = session_id(&v.expect(|f| matches!(f, ServerFrame::Session { .. })).await);
    assert_eq!(server.stored_session(&session).await.page, None);
    // A web page is kept.
    v.send(ClientFrame::PageView {
        page: page("https://shop.test/cart"),
    })
    .await;
    // Frames are handled in order: once this is answered, the view is stored.
    v.history(&session).await;
    let views = server
        .running
        .store
        .page_views(&visitor_id, 10)
        .await
        .unwrap();
    let urls: Vec<_> = views.iter().map(|(p, _)| p.url.as_str()).collect();
    assert_eq!(urls, ["https://shop.test/cart"]);
}
