//! Co-browsing through a real server: consent, relay of page frames without
//! touching their bodies, catch-up from the server's log for a late agent tab,
//! keyframe requests on gaps and when the log is full, and the agent's
//! pointer and highlights.

use protocol::cobrowse::{
    FrameKind, Highlight, MAX_LOG_DELTAS, Pointer, ShareState, decode_header, encode_frame,
};
use protocol::{AgentPresence, ClientFrame, ErrorCode, EventBody, ServerFrame, ShareAction};
use tandem_tests::{Client, Incoming, TestServer};

struct Shared {
    server: TestServer,
    agent: Client,
    agent_token: String,
    visitor: Client,
    visitor_token: String,
    session: String,
}

/// An accepted session where the agent asked and the visitor allowed sharing.
async fn sharing() -> Shared {
    let server = TestServer::start().await;
    let a = server.accepted_session("where do I click?").await;
    let (mut agent, agent_token, mut visitor, visitor_token, session) = (
        a.agent,
        a.agent_token,
        a.visitor,
        a.visitor_token,
        a.session,
    );

    // Not shared yet: page frames are refused.
    let early = encode_frame(FrameKind::Keyframe, &session, 1, 0, b"{}");
    visitor.send_binary(early).await;
    assert_eq!(visitor.expect_error(None).await, ErrorCode::NotSharing);

    agent
        .send(ClientFrame::CobrowseRequest {
            session: session.clone(),
        })
        .await;
    for side in [&mut agent, &mut visitor] {
        side.expect(share_is(ShareState::Requested)).await;
    }
    visitor
        .send(ClientFrame::CobrowseStart {
            session: session.clone(),
        })
        .await;
    for side in [&mut agent, &mut visitor] {
        side.expect(share_is(ShareState::Active)).await;
    }
    Shared {
        server,
        agent,
        agent_token,
        visitor,
        visitor_token,
        session,
    }
}

/// Matches the `cobrowse` frame announcing `state`.
fn share_is(state: ShareState) -> impl Fn(&ServerFrame) -> bool {
    move |f| matches!(f, ServerFrame::Cobrowse { state: s, .. } if *s == state)
}

fn is_binary(i: &Incoming) -> bool {
    matches!(i, Incoming::Binary(_))
}

fn is_keyframe_request(i: &Incoming) -> bool {
    matches!(i, Incoming::Frame(f) if matches!(f.frame, ServerFrame::CobrowseKeyframeRequest { .. }))
}

fn keyframe(session: &str, epoch: u32) -> Vec<u8> {
    let body = format!(
        r#"{{"url":"http://shop.test/","vw":1280,"vh":800,"root":{{"i":1,"k":"e","t":"html"}},"epoch":{epoch}}}"#
    );
    encode_frame(FrameKind::Keyframe, session, epoch, 0, body.as_bytes())
}

fn delta(session: &str, epoch: u32, seq: u32) -> Vec<u8> {
    let body = format!(r#"{{"ops":[{{"o":"mouse","x":{seq},"y":1}}]}}"#);
    encode_frame(FrameKind::Delta, session, epoch, seq, body.as_bytes())
}

#[tokio::test]
async fn page_frames_reach_the_agent_byte_for_byte() {
    let Shared {
        mut agent,
        mut visitor,
        session,
        ..
    } = sharing().await;
    let frames = [
        keyframe(&session, 1),
        delta(&session, 1, 1),
        delta(&session, 1, 2),
    ];
    for f in &frames {
        visitor.send_binary(f.clone()).await;
    }
    for f in &frames {
        assert_eq!(&agent.recv_binary().await, f);
    }
    // The visitor's page frames are never echoed back to the visitor.
    visitor.expect_none(200, is_binary).await;
}

#[tokio::test]
async fn a_late_agent_tab_catches_up_from_the_log_without_asking_the_visitor() {
    let Shared {
        server,
        mut agent,
        agent_token,
        mut visitor,
        session,
        ..
    } = sharing().await;
    let frames = [
        keyframe(&session, 1),
        delta(&session, 1, 1),
        delta(&session, 1, 2),
        delta(&session, 1, 3),
    ];
    for f in &frames {
        visitor.send_binary(f.clone()).await;
    }
    for _ in &frames {
        agent.recv_binary().await;
    }
    let mut late = server.agent_client(&agent_token).await;
    late.send(ClientFrame::CobrowseSubscribe {
        session: session.clone(),
        fresh: false,
    })
    .await;
    for f in &frames {
        assert_eq!(&late.recv_binary().await, f, "replayed in order, unchanged");
    }
    // The visitor was not asked for anything.
    visitor.expect_none(300, is_keyframe_request).await;
    // Live deltas reach both tabs.
    let next = delta(&session, 1, 4);
    visitor.send_binary(next.clone()).await;
    assert_eq!(agent.recv_binary().await, next);
    assert_eq!(late.recv_binary().await, next);
}

#[tokio::test]
async fn a_gap_is_not_relayed_and_the_widget_is_asked_for_a_keyframe() {
    let Shared {
        mut agent,
        mut visitor,
        session,
        ..
    } = sharing().await;
    visitor.send_binary(keyframe(&session, 1)).await;
    agent.recv_binary().await;
    visitor.send_binary(delta(&session, 1, 2)).await; // seq 1 is missing
    visitor
        .expect(|f| matches!(f, ServerFrame::CobrowseKeyframeRequest { .. }))
        .await;
    agent.expect_none(300, is_binary).await;
    // Subscribing now cannot replay a broken log: it waits for the keyframe.
    agent
        .send(ClientFrame::CobrowseSubscribe {
            session: session.clone(),
            fresh: false,
        })
        .await;
    agent.expect_none(300, is_binary).await;
    let fresh = keyframe(&session, 2);
    visitor.send_binary(fresh.clone()).await;
    assert_eq!(agent.recv_binary().await, fresh);
}

#[tokio::test]
async fn a_full_log_asks_for_a_fresh_keyframe_once() {
    let Shared {
        mut agent,
        mut visitor,
        session,
        ..
    } = sharing().await;
    visitor.send_binary(keyframe(&session, 1)).await;
    agent.recv_binary().await;
    let n = MAX_LOG_DELTAS as u32 + 1;
    for seq in 1..=n {
        visitor.send_binary(delta(&session, 1, seq)).await;
        if seq % 100 == 0 {
            // Stay under the page-frame rate limit.
            tokio::time::sleep(std::time::Duration::from_millis(900)).await;
        }
    }
    for _ in 1..=n {
        agent.recv_binary().await;
    }
    visitor
        .expect(|f| matches!(f, ServerFrame::CobrowseKeyframeRequest { .. }))
        .await;
    visitor.expect_none(300, is_keyframe_request).await;
}

#[tokio::test]
async fn pointer_frames_are_relayed_but_never_logged() {
    let Shared {
        server,
        mut agent,
        agent_token,
        mut visitor,
        session,
        ..
    } = sharing().await;
    let pointer = |epoch: u32, x: u32| {
        let body = format!(r#"{{"ops":[{{"o":"mouse","x":{x},"y":1}}]}}"#);
        encode_frame(FrameKind::Pointer, &session, epoch, 0, body.as_bytes())
    };
    // Before any page: nobody to draw it for.
    visitor.send_binary(pointer(1, 0)).await;
    agent.expect_none(200, is_binary).await;

    let first = keyframe(&session, 1);
    visitor.send_binary(first.clone()).await;
    agent.recv_binary().await;
    // More moves than the log holds deltas: relayed, and no keyframe asked for.
    let n = MAX_LOG_DELTAS as u32 + 20;
    for x in 1..=n {
        visitor.send_binary(pointer(1, x)).await;
        if x % 100 == 0 {
            // Stay under the page-frame rate limit.
            tokio::time::sleep(std::time::Duration::from_millis(900)).await;
        }
    }
    for x in 1..=n {
        assert_eq!(agent.recv_binary().await, pointer(1, x));
    }
    visitor.expect_none(300, is_keyframe_request).await;
    // The page's sequence is untouched: the next delta is still seq 1.
    let next = delta(&session, 1, 1);
    visitor.send_binary(next.clone()).await;
    assert_eq!(agent.recv_binary().await, next);
    // A late tab is replayed the page, not the moves.
    let mut late = server.agent_client(&agent_token).await;
    late.send(ClientFrame::CobrowseSubscribe {
        session: session.clone(),
        fresh: false,
    })
    .await;
    assert_eq!(late.recv_binary().await, first);
    assert_eq!(late.recv_binary().await, next);
    late.expect_none(300, is_binary).await;
    // Moves of a page the agents do not have are dropped.
    visitor.send_binary(pointer(7, 1)).await;
    agent.expect_none(300, is_binary).await;
}

#[tokio::test]
async fn a_tab_whose_replay_failed_gets_a_fresh_keyframe_from_the_page() {
    let Shared {
        mut agent,
        mut visitor,
        session,
        ..
    } = sharing().await;
    let first = keyframe(&session, 1);
    visitor.send_binary(first.clone()).await;
    assert_eq!(agent.recv_binary().await, first);
    let fresh = ClientFrame::CobrowseSubscribe {
        session: session.clone(),
        fresh: true,
    };
    // The log has a page, but this tab could not apply it: no replay, the
    // widget is asked for a new keyframe, once while it is outstanding.
    agent.send(fresh.clone()).await;
    visitor
        .expect(|f| matches!(f, ServerFrame::CobrowseKeyframeRequest { .. }))
        .await;
    agent.expect_none(300, is_binary).await;
    agent.send(fresh.clone()).await;
    visitor.expect_none(300, is_keyframe_request).await;
    let second = keyframe(&session, 2);
    visitor.send_binary(second.clone()).await;
    assert_eq!(agent.recv_binary().await, second);
    // Answered: the next failure may ask again.
    agent.send(fresh).await;
    visitor
        .expect(|f| matches!(f, ServerFrame::CobrowseKeyframeRequest { .. }))
        .await;
}

#[tokio::test]
async fn frames_are_checked_before_they_are_relayed() {
    let Shared {
        server,
        mut agent,
        mut visitor,
        session,
        ..
    } = sharing().await;
    // Garbage header.
    visitor.send_binary(vec![9, 9, 9]).await;
    assert_eq!(visitor.expect_error(None).await, ErrorCode::InvalidFrame);
    // Another visitor cannot inject frames into this session.
    let (mut intruder, _, _) = server.visitor(None).await;
    intruder.send_binary(keyframe(&session, 1)).await;
    assert_eq!(intruder.expect_error(None).await, ErrorCode::Forbidden);
    // Agents do not send page frames.
    agent.send_binary(keyframe(&session, 1)).await;
    assert_eq!(agent.expect_error(None).await, ErrorCode::Forbidden);
    agent.expect_none(200, is_binary).await;
}

#[tokio::test]
async fn pointer_and_highlights_reach_the_visitor_and_highlights_are_audited() {
    let Shared {
        mut agent,
        mut visitor,
        session,
        ..
    } = sharing().await;
    agent
        .send(ClientFrame::Pointer(Pointer {
            session: session.clone(),
            node: Some(7),
            x: 0.5,
            y: 0.25,
        }))
        .await;
    visitor
        .expect(
            |f| matches!(f, ServerFrame::Pointer(Pointer { node: Some(7), x, .. }) if *x == 0.5),
        )
        .await;
    agent
        .send(ClientFrame::Highlight(Highlight {
            session: session.clone(),
            node: 7,
            label: Some("Click here".into()),
        }))
        .await;
    visitor
        .expect(|f| matches!(f, ServerFrame::Highlight(Highlight { node: 7, label: Some(l), .. }) if l == "Click here"))
        .await;
    agent
        .send(ClientFrame::HighlightClear {
            session: session.clone(),
        })
        .await;
    visitor
        .expect(|f| matches!(f, ServerFrame::HighlightClear { .. }))
        .await;
    // Only the agent points.
    let rid = visitor
        .send(ClientFrame::Highlight(Highlight {
            session: session.clone(),
            node: 1,
            label: None,
        }))
        .await;
    assert_eq!(visitor.expect_error(Some(rid)).await, ErrorCode::Forbidden);

    // The audit trail holds the consent steps and the highlight.
    visitor
        .send(ClientFrame::CobrowseStop {
            session: session.clone(),
        })
        .await;
    agent.expect(share_is(ShareState::Off)).await;
    let rid = agent
        .send(ClientFrame::Highlight(Highlight {
            session: session.clone(),
            node: 7,
            label: None,
        }))
        .await;
    assert_eq!(agent.expect_error(Some(rid)).await, ErrorCode::NotSharing);
    agent
        .send(ClientFrame::SessionSync {
            session: session.clone(),
            after_seq: 0,
        })
        .await;
    let history = agent
        .expect(|f| matches!(f, ServerFrame::History { .. }))
        .await;
    let ServerFrame::History { events, .. } = history else {
        unreachable!()
    };
    let audit: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Share { action, by } => Some(format!("{action:?} by {}", by.as_str())),
            EventBody::Highlight { node, label } => Some(format!("highlight {node} {label:?}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        audit,
        [
            "Requested by agent",
            "Started by visitor",
            "highlight 7 Some(\"Click here\")",
            "Stopped by visitor"
        ]
    );
    // After stopping, page frames are refused again.
    visitor.send_binary(keyframe(&session, 3)).await;
    assert_eq!(visitor.expect_error(None).await, ErrorCode::NotSharing);
}

#[tokio::test]
async fn the_visitor_can_deny_and_a_reload_sees_the_share_state() {
    let server = TestServer::start().await;
    let (mut agent, agent_token) = server.agent("alex@example.com", "Alex").await;
    agent
        .send(ClientFrame::PresenceSet {
            presence: AgentPresence::Online,
        })
        .await;
    let (mut visitor, token, _) = server.visitor(None).await;
    let session = visitor.ask_for_help("hi").await;
    agent
        .expect(|f| matches!(f, ServerFrame::Queue { items, .. } if !items.is_empty()))
        .await;
    agent
        .send(ClientFrame::QueueAccept {
            session: session.clone(),
        })
        .await;
    agent
        .send(ClientFrame::CobrowseRequest {
            session: session.clone(),
        })
        .await;
    visitor.expect(share_is(ShareState::Requested)).await;
    visitor
        .send(ClientFrame::CobrowseDeny {
            session: session.clone(),
        })
        .await;
    agent.expect(share_is(ShareState::Off)).await;
    let rid = visitor
        .send(ClientFrame::CobrowseDeny {
            session: session.clone(),
        })
        .await;
    assert_eq!(
        visitor.expect_error(Some(rid)).await,
        ErrorCode::InvalidFrame,
        "nothing left to deny"
    );

    // The visitor starts sharing on their own; a reload of either side learns it from welcome.
    visitor
        .send(ClientFrame::CobrowseStart {
            session: session.clone(),
        })
        .await;
    agent.expect(share_is(ShareState::Active)).await;
    visitor.close().await;
    let (_, _, welcome) = server.visitor(Some(token)).await;
    let ServerFrame::Welcome { sessions, .. } = welcome else {
        unreachable!()
    };
    assert_eq!(sessions[0].share, ShareState::Active);
    let mut tab = Client::connect(&format!("{}/ws/agent", server.running.ws_url()), None)
        .await
        .unwrap();
    tab.send(ClientFrame::Hello {
        token: Some(agent_token),
        page: None,
    })
    .await;
    let welcome = tab
        .expect(|f| matches!(f, ServerFrame::Welcome { .. }))
        .await;
    let ServerFrame::Welcome { sessions, .. } = welcome else {
        unreachable!()
    };
    assert_eq!(sessions[0].share, ShareState::Active);
    let ServerFrame::History { events, .. } = ({
        tab.send(ClientFrame::SessionSync {
            session: session.clone(),
            after_seq: 0,
        })
        .await;
        tab.expect(|f| matches!(f, ServerFrame::History { .. }))
            .await
    }) else {
        unreachable!()
    };
    assert!(events.iter().any(|e| e.body
        == EventBody::Share {
            action: ShareAction::Denied,
            by: protocol::Role::Visitor
        }));
}

#[tokio::test]
async fn a_slow_agent_tab_loses_page_frames_not_chat() {
    let Shared {
        mut agent,
        mut visitor,
        session,
        ..
    } = sharing().await;
    visitor.send_binary(keyframe(&session, 1)).await;
    // The agent stops reading while the visitor streams large deltas.
    let filler = "x".repeat(60_000);
    let mut sent = 0u32;
    for seq in 1..=600u32 {
        let body = format!(r#"{{"ops":[{{"o":"txt","i":1,"x":"{filler}"}}]}}"#);
        visitor
            .send_binary(encode_frame(
                FrameKind::Delta,
                &session,
                1,
                seq,
                body.as_bytes(),
            ))
            .await;
        sent += 1;
        if seq % 200 == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(1700)).await;
        }
    }
    visitor
        .send(ClientFrame::ChatSend {
            session: session.clone(),
            client_id: None,
            text: "still there?".into(),
        })
        .await;
    // The agent catches up: fewer page frames than sent (some were dropped), and
    // the chat message arrives; the connection was not closed.
    let mut page_frames = 0u32;
    loop {
        match agent.recv_any().await {
            Ok(Incoming::Binary(b)) => {
                assert!(decode_header(&b).is_ok());
                page_frames += 1;
            }
            Ok(Incoming::Frame(f)) => {
                if matches!(&f.frame, ServerFrame::Event { event, .. } if matches!(&event.body, EventBody::Message { text, .. } if text == "still there?"))
                {
                    break;
                }
            }
            Err(e) => panic!("agent connection failed: {e}"),
        }
    }
    assert!(
        page_frames < sent + 1,
        "page frames to a slow tab were dropped ({page_frames} of {})",
        sent + 1
    );
}

#[tokio::test]
async fn the_mirror_document_may_load_page_assets_but_never_run_anything() {
    let server = TestServer::start().await;
    let get = |path: &str| reqwest::Client::new().get(server.http(path)).send();
    let mirror = get(tandem_server::http::MIRROR_PATH).await.unwrap();
    assert_eq!(mirror.status(), 200);
    let header = |res: &reqwest::Response, name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let csp = header(&mirror, "content-security-policy");
    for needed in [
        "script-src 'none'",
        "object-src 'none'",
        "connect-src 'none'",
        "form-action 'none'",
        "img-src * data:",
        "font-src * data:",
        "frame-ancestors 'self'",
    ] {
        assert!(csp.contains(needed), "mirror CSP {csp:?} lacks {needed:?}");
    }
    assert_eq!(header(&mirror, "referrer-policy"), "no-referrer");
    assert_eq!(header(&mirror, "x-frame-options"), "SAMEORIGIN");
    assert!(mirror.text().await.unwrap().contains("<body></body>"));

    // The console keeps its strict policy: the mirror's is its own.
    let console = get("/agent").await.unwrap();
    let csp = header(&console, "content-security-policy");
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(csp.contains("img-src 'self' data:;"), "{csp}");
    assert_eq!(header(&console, "x-frame-options"), "DENY");
}

#[tokio::test]
async fn sharing_survives_a_restart_without_a_new_consent() {
    let Shared {
        server,
        agent,
        agent_token,
        mut visitor,
        visitor_token,
        session,
    } = sharing().await;
    visitor.send_binary(keyframe(&session, 1)).await;
    drop((agent, visitor));

    let server = server.restart().await;
    let (mut visitor, _, welcome) = server.visitor(Some(visitor_token)).await;
    let mut agent = Client::connect(&format!("{}/ws/agent", server.running.ws_url()), None)
        .await
        .expect("connect");
    let agent_welcome = agent.hello(Some(agent_token)).await;
    for welcome in [welcome, agent_welcome] {
        let ServerFrame::Welcome { sessions, .. } = welcome else {
            unreachable!()
        };
        assert_eq!(sessions[0].share, ShareState::Active, "still shared");
    }
    // The page log went with the old process: the mirror asks the widget
    // for a keyframe, and the page reaches the agent again.
    agent
        .send(ClientFrame::CobrowseSubscribe {
            session: session.clone(),
            fresh: false,
        })
        .await;
    visitor
        .expect(|f| matches!(f, ServerFrame::CobrowseKeyframeRequest { .. }))
        .await;
    let page = keyframe(&session, 2);
    visitor.send_binary(page.clone()).await;
    assert_eq!(agent.recv_binary().await, page);
    // No consent step was invented: the last one is still the visitor's start.
    let history = agent.history(&session).await;
    let last = history.iter().rev().find_map(|e| match e.body {
        EventBody::Share { action, .. } => Some(action),
        _ => None,
    });
    assert_eq!(last, Some(ShareAction::Started));
}
