//! Voice calls through a real server: the consent state machine (start,
//! ring, accept, decline, hang up, ring timeout, session end), who may do
//! what, the relay of signaling between the two sides of an active call, the
//! transcript, and bad input. `voice/media.rs` connects real WebRTC peers
//! (webrtc-rs) through the server's WebSocket and the embedded TURN server.

#[path = "voice/media.rs"]
mod media;
#[path = "voice/peer.rs"]
mod peer;

use protocol::limits::MAX_SDP_BYTES;
use protocol::{
    CallAction, CallEndReason, CallInfo, CallPhase, ClientFrame, ErrorCode, Event, EventBody, Role,
    SdpType, ServerFrame, Signal,
};
use tandem_server::store::VoicePolicy;
use tandem_tests::{Accepted, SITE, TestServer};

/// Matches the `call` frame that shows the call in `phase`.
pub fn call_is(phase: CallPhase) -> impl Fn(&ServerFrame) -> bool {
    move |f| matches!(f, ServerFrame::Call { call, .. } if call.phase == phase)
}

fn call_of(frame: ServerFrame) -> CallInfo {
    match frame {
        ServerFrame::Call { call, .. } => call,
        other => panic!("not a call frame: {other:?}"),
    }
}

/// Matches the transcript event for `action`.
fn call_event(action: CallAction) -> impl Fn(&ServerFrame) -> bool {
    move |f| matches!(f, ServerFrame::Event { event: Event { body: EventBody::Call { action: a, .. }, .. }, .. } if *a == action)
}

fn event_body(frame: ServerFrame) -> EventBody {
    match frame {
        ServerFrame::Event { event, .. } => event.body,
        other => panic!("not an event: {other:?}"),
    }
}

/// Sets who may start calls on the test site.
pub async fn set_voice(server: &TestServer, voice: VoicePolicy) {
    let store = server.running.store.as_ref();
    let mut site = store.site(SITE).await.unwrap().expect("test site");
    site.voice = voice;
    store.upsert_site(&site, 0).await.unwrap();
}

/// `from` starts a call; both sides see it ring. Returns the call.
pub async fn ring(a: &mut Accepted, from: Role) -> CallInfo {
    let start = ClientFrame::CallStart {
        session: a.session.clone(),
    };
    match from {
        Role::Visitor => a.visitor.send(start).await,
        _ => a.agent.send(start).await,
    };
    let call = call_of(a.agent.expect(call_is(CallPhase::Ringing)).await);
    assert_eq!(
        call_of(a.visitor.expect(call_is(CallPhase::Ringing)).await),
        call
    );
    assert_eq!(call.started_by, from);
    call
}

/// The agent calls, the visitor accepts; both see it active. Returns the call id.
pub async fn active_call(a: &mut Accepted) -> String {
    let call = ring(a, Role::Agent).await;
    a.visitor
        .send(ClientFrame::CallAccept {
            session: a.session.clone(),
            call: call.id.clone(),
        })
        .await;
    for side in [&mut a.agent, &mut a.visitor] {
        let active = call_of(side.expect(call_is(CallPhase::Active)).await);
        assert_eq!(active.id, call.id);
        assert!(active.answered_at.is_some());
    }
    call.id
}

fn signal(a: &Accepted, call: &str, signal: Signal) -> ClientFrame {
    ClientFrame::CallSignal {
        session: a.session.clone(),
        call: call.to_string(),
        signal,
    }
}

fn candidate(line: &str) -> Signal {
    Signal::Candidate {
        candidate: line.into(),
        sdp_mid: Some("0".into()),
        sdp_mline_index: Some(0),
        username_fragment: None,
    }
}

fn offer(sdp: &str) -> Signal {
    Signal::Description {
        sdp_type: SdpType::Offer,
        sdp: sdp.into(),
    }
}

#[tokio::test]
async fn agent_calls_visitor_accepts_both_talk_and_hang_up() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("can we talk?").await;
    let call = ring(&mut a, Role::Agent).await;
    assert_eq!(call.phase, CallPhase::Ringing);
    let started = event_body(a.visitor.expect(call_event(CallAction::Started)).await);
    assert!(matches!(
        started,
        EventBody::Call {
            by: Role::Agent,
            ..
        }
    ));

    // Nothing is relayed while it rings.
    let early = a.agent.send(signal(&a, &call.id, offer("v=0\r\n"))).await;
    assert_eq!(a.agent.expect_error(Some(early)).await, ErrorCode::NoCall);

    a.visitor
        .send(ClientFrame::CallAccept {
            session: a.session.clone(),
            call: call.id.clone(),
        })
        .await;
    // Both sides get ICE servers: the embedded TURN server, with
    // credentials bound to the session and their side.
    for (side, role) in [(&mut a.agent, "agent"), (&mut a.visitor, "visitor")] {
        side.expect(call_is(CallPhase::Active)).await;
        let creds = side
            .expect(|f| matches!(f, ServerFrame::CallCredentials { .. }))
            .await;
        let ServerFrame::CallCredentials {
            ice_servers,
            expires_at,
            call: c,
            ..
        } = creds
        else {
            unreachable!()
        };
        assert_eq!(c, call.id);
        assert!(expires_at > tandem_server::clock::now_ms());
        let turn = ice_servers
            .iter()
            .find(|s| s.urls.iter().any(|u| u.starts_with("turn:")))
            .expect("the embedded TURN server");
        let user = turn.username.as_deref().expect("a TURN username");
        assert!(user.ends_with(&format!(":{}:{role}", a.session)), "{user}");
        assert!(turn.credential.as_deref().is_some_and(|c| !c.is_empty()));
    }
    let answered = event_body(a.agent.expect(call_event(CallAction::Answered)).await);
    assert!(matches!(
        answered,
        EventBody::Call {
            by: Role::Visitor,
            ..
        }
    ));

    // Signaling and mute state go to the other side, unchanged.
    a.agent
        .send(signal(
            &a,
            &call.id,
            offer("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"),
        ))
        .await;
    let got = a
        .visitor
        .expect(|f| matches!(f, ServerFrame::CallSignal { .. }))
        .await;
    assert!(matches!(
        got,
        ServerFrame::CallSignal { from: Role::Agent, signal: Signal::Description { sdp_type: SdpType::Offer, ref sdp }, .. } if sdp.contains("o=- 1 1")
    ));
    let line = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host";
    a.visitor.send(signal(&a, &call.id, candidate(line))).await;
    let got = a
        .agent
        .expect(|f| matches!(f, ServerFrame::CallSignal { .. }))
        .await;
    assert!(matches!(
        got,
        ServerFrame::CallSignal { from: Role::Visitor, signal: Signal::Candidate { ref candidate, .. }, .. } if candidate == line
    ));
    a.visitor
        .send(ClientFrame::CallMute {
            session: a.session.clone(),
            call: call.id.clone(),
            muted: true,
        })
        .await;
    let muted = a
        .agent
        .expect(|f| matches!(f, ServerFrame::CallMute { .. }))
        .await;
    assert!(matches!(
        muted,
        ServerFrame::CallMute {
            from: Role::Visitor,
            muted: true,
            ..
        }
    ));

    // Fresh credentials on request, as the reply to that request.
    let rid = a
        .visitor
        .send(ClientFrame::CallCredentials {
            session: a.session.clone(),
            call: call.id.clone(),
        })
        .await;
    loop {
        let env = a.visitor.recv().await.expect("credentials");
        if let ServerFrame::CallCredentials { .. } = env.frame
            && env.rid == Some(rid)
        {
            break;
        }
    }

    a.agent
        .send(ClientFrame::CallEnd {
            session: a.session.clone(),
            call: call.id.clone(),
            reason: None,
        })
        .await;
    for side in [&mut a.agent, &mut a.visitor] {
        let ended = call_of(side.expect(call_is(CallPhase::Ended)).await);
        assert_eq!(ended.end_reason, Some(CallEndReason::HungUp));
    }
    let ended = event_body(a.visitor.expect(call_event(CallAction::Ended)).await);
    let EventBody::Call {
        by,
        duration_ms,
        reason,
        ..
    } = ended
    else {
        unreachable!()
    };
    assert_eq!(by, Role::Agent);
    assert_eq!(reason, Some(CallEndReason::HungUp));
    assert!(duration_ms.is_some());

    // Candidates after hang-up are refused; the chat goes on.
    let late = a.visitor.send(signal(&a, &call.id, candidate(line))).await;
    assert_eq!(a.visitor.expect_error(Some(late)).await, ErrorCode::NoCall);
    a.visitor
        .send(ClientFrame::ChatSend {
            session: a.session.clone(),
            client_id: None,
            text: "thanks".into(),
        })
        .await;
    a.agent
        .expect(|f| matches!(f, ServerFrame::Event { event: Event { body: EventBody::Message { text, .. }, .. }, .. } if text == "thanks"))
        .await;

    // The transcript holds the whole call, in order.
    let rid = a
        .agent
        .send(ClientFrame::SessionSync {
            session: a.session.clone(),
            after_seq: 0,
        })
        .await;
    let history = loop {
        let env = a.agent.recv().await.expect("history");
        if let (ServerFrame::History { events, .. }, Some(r)) = (env.frame, env.rid)
            && r == rid
        {
            break events;
        }
    };
    let actions: Vec<(CallAction, Role)> = history
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Call { action, by, .. } => Some((*action, *by)),
            _ => None,
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            (CallAction::Started, Role::Agent),
            (CallAction::Answered, Role::Visitor),
            (CallAction::Ended, Role::Agent)
        ]
    );
}

#[tokio::test]
async fn the_visitor_declines_and_only_the_callee_answers() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("hello").await;
    let call = ring(&mut a, Role::Agent).await;
    // The caller cannot answer or decline their own call.
    for frame in [
        ClientFrame::CallAccept {
            session: a.session.clone(),
            call: call.id.clone(),
        },
        ClientFrame::CallDecline {
            session: a.session.clone(),
            call: call.id.clone(),
        },
    ] {
        let rid = a.agent.send(frame).await;
        assert_eq!(a.agent.expect_error(Some(rid)).await, ErrorCode::Forbidden);
    }
    // An unknown call id changes nothing.
    let rid = a
        .visitor
        .send(ClientFrame::CallAccept {
            session: a.session.clone(),
            call: "c_nope".into(),
        })
        .await;
    assert_eq!(a.visitor.expect_error(Some(rid)).await, ErrorCode::NoCall);

    a.visitor
        .send(ClientFrame::CallDecline {
            session: a.session.clone(),
            call: call.id.clone(),
        })
        .await;
    for side in [&mut a.agent, &mut a.visitor] {
        let ended = call_of(side.expect(call_is(CallPhase::Ended)).await);
        assert_eq!(ended.end_reason, Some(CallEndReason::Declined));
    }
    let ended = event_body(a.agent.expect(call_event(CallAction::Ended)).await);
    assert!(matches!(
        ended,
        EventBody::Call {
            by: Role::Visitor,
            duration_ms: Some(0),
            reason: Some(CallEndReason::Declined),
            ..
        }
    ));
    // Accepting after the decline is too late.
    let rid = a
        .visitor
        .send(ClientFrame::CallAccept {
            session: a.session.clone(),
            call: call.id.clone(),
        })
        .await;
    assert_eq!(a.visitor.expect_error(Some(rid)).await, ErrorCode::NoCall);

    // A new call may follow; the caller may cancel it while it rings.
    let again = ring(&mut a, Role::Agent).await;
    assert_ne!(again.id, call.id);
    a.agent
        .send(ClientFrame::CallEnd {
            session: a.session.clone(),
            call: again.id.clone(),
            reason: None,
        })
        .await;
    let ended = call_of(a.visitor.expect(call_is(CallPhase::Ended)).await);
    assert_eq!(ended.end_reason, Some(CallEndReason::Cancelled));
}

#[tokio::test]
async fn an_unanswered_call_rings_out() {
    let server = TestServer::start_with(|c| c.voice.ring_ms = 300).await;
    let mut a = server.accepted_session("hello").await;
    let call = ring(&mut a, Role::Agent).await;
    for side in [&mut a.agent, &mut a.visitor] {
        let ended = call_of(side.expect(call_is(CallPhase::Ended)).await);
        assert_eq!(ended.id, call.id);
        assert_eq!(ended.end_reason, Some(CallEndReason::NoAnswer));
    }
    let ended = event_body(a.visitor.expect(call_event(CallAction::Ended)).await);
    assert!(matches!(
        ended,
        EventBody::Call {
            by: Role::System,
            reason: Some(CallEndReason::NoAnswer),
            ..
        }
    ));
}

#[tokio::test]
async fn one_call_at_a_time_and_only_where_the_site_allows() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("hello").await;

    // By default only agents start calls.
    let rid = a
        .visitor
        .send(ClientFrame::CallStart {
            session: a.session.clone(),
        })
        .await;
    assert_eq!(
        a.visitor.expect_error(Some(rid)).await,
        ErrorCode::VoiceDisabled
    );

    // Where the site allows it, the visitor calls and the agent answers.
    set_voice(&server, VoicePolicy::Both).await;
    let call = ring(&mut a, Role::Visitor).await;
    let rid = a
        .agent
        .send(ClientFrame::CallStart {
            session: a.session.clone(),
        })
        .await;
    assert_eq!(
        a.agent.expect_error(Some(rid)).await,
        ErrorCode::CallInProgress
    );
    a.agent
        .send(ClientFrame::CallAccept {
            session: a.session.clone(),
            call: call.id.clone(),
        })
        .await;
    a.visitor.expect(call_is(CallPhase::Active)).await;
    a.visitor
        .send(ClientFrame::CallEnd {
            session: a.session.clone(),
            call: call.id.clone(),
            reason: None,
        })
        .await;
    a.agent.expect(call_is(CallPhase::Ended)).await;

    // With voice off, nobody calls.
    set_voice(&server, VoicePolicy::Off).await;
    for side in [&mut a.agent, &mut a.visitor] {
        let rid = side
            .send(ClientFrame::CallStart {
                session: a.session.clone(),
            })
            .await;
        assert_eq!(side.expect_error(Some(rid)).await, ErrorCode::VoiceDisabled);
    }
}

#[tokio::test]
async fn strangers_and_bad_signals_are_refused_and_change_nothing() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("hello").await;
    let call = active_call(&mut a).await;

    // A visitor of another session and an agent not in this one.
    let (mut stranger, _, _) = server.visitor(None).await;
    let (mut other_agent, _) = server.agent("sam@example.com", "Sam").await;
    for c in [&mut stranger, &mut other_agent] {
        for frame in [
            signal(&a, &call, offer("v=0\r\n")),
            ClientFrame::CallEnd {
                session: a.session.clone(),
                call: call.clone(),
                reason: None,
            },
            ClientFrame::CallCredentials {
                session: a.session.clone(),
                call: call.clone(),
            },
        ] {
            let rid = c.send(frame).await;
            assert_eq!(c.expect_error(Some(rid)).await, ErrorCode::Forbidden);
        }
    }
    let rid = stranger
        .send(ClientFrame::CallSignal {
            session: "s_unknown".into(),
            call: call.clone(),
            signal: offer("v=0\r\n"),
        })
        .await;
    assert_eq!(
        stranger.expect_error(Some(rid)).await,
        ErrorCode::UnknownSession
    );

    // An SDP over the limit, and a call id of the wrong call.
    let huge = offer(&"a".repeat(MAX_SDP_BYTES + 1));
    let rid = a.agent.send(signal(&a, &call, huge)).await;
    assert_eq!(
        a.agent.expect_error(Some(rid)).await,
        ErrorCode::InvalidFrame
    );
    let rid = a.agent.send(signal(&a, "c_other", offer("v=0\r\n"))).await;
    assert_eq!(a.agent.expect_error(Some(rid)).await, ErrorCode::NoCall);
    let too_big = offer(&"a".repeat(protocol::limits::MAX_FRAME_BYTES));
    let rid = a.agent.send(signal(&a, &call, too_big)).await;
    let code = a.agent.expect_error(None).await;
    assert_eq!(code, ErrorCode::FrameTooLarge, "rid {rid}");
    a.visitor
        .expect_none(300, |i| {
            matches!(i, tandem_tests::Incoming::Frame(env) if matches!(env.frame, ServerFrame::CallSignal { .. } | ServerFrame::Call { .. }))
        })
        .await;

    // The call is untouched: a good signal still goes through.
    a.agent.send(signal(&a, &call, offer("v=0 good\r\n"))).await;
    a.visitor
        .expect(|f| matches!(f, ServerFrame::CallSignal { signal: Signal::Description { sdp, .. }, .. } if sdp.contains("good")))
        .await;
}

#[tokio::test]
async fn the_call_ends_with_the_session_and_reconnecting_clients_see_it() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("hello").await;
    let call = active_call(&mut a).await;

    // A visitor tab that connects now learns of the call from its welcome.
    let (mut tab, _, welcome) = server.visitor(Some(a.visitor_token.clone())).await;
    let ServerFrame::Welcome { sessions, .. } = welcome else {
        unreachable!()
    };
    let shown = sessions[0].call.as_ref().expect("the call in the summary");
    assert_eq!(
        (shown.id.as_str(), shown.phase),
        (call.as_str(), CallPhase::Active)
    );

    // After a network change the visitor's new connection carries on the
    // call: an ICE restart offer reaches it, its answer reaches the agent.
    a.agent
        .send(signal(&a, &call, offer("v=0 ice restart\r\n")))
        .await;
    tab.expect(|f| matches!(f, ServerFrame::CallSignal { signal: Signal::Description { sdp, .. }, .. } if sdp.contains("ice restart")))
        .await;
    let answer = Signal::Description {
        sdp_type: SdpType::Answer,
        sdp: "v=0 restarted\r\n".into(),
    };
    tab.send(signal(&a, &call, answer)).await;
    a.agent
        .expect(|f| {
            matches!(
                f,
                ServerFrame::CallSignal {
                    from: Role::Visitor,
                    signal: Signal::Description {
                        sdp_type: SdpType::Answer,
                        ..
                    },
                    ..
                }
            )
        })
        .await;

    a.visitor
        .send(ClientFrame::SessionEnd {
            session: a.session.clone(),
        })
        .await;
    for side in [&mut a.agent, &mut tab] {
        let ended = call_of(side.expect(call_is(CallPhase::Ended)).await);
        assert_eq!(ended.end_reason, Some(CallEndReason::SessionEnded));
    }
    // The call's end is logged before the session's.
    let mut seen = Vec::new();
    while seen.len() < 2 {
        match a
            .agent
            .expect(|f| matches!(f, ServerFrame::Event { .. }))
            .await
        {
            ServerFrame::Event { event, .. } => match event.body {
                EventBody::Call {
                    action: CallAction::Ended,
                    ..
                } => seen.push("call"),
                EventBody::Ended { .. } => seen.push("session"),
                _ => {}
            },
            _ => unreachable!(),
        }
    }
    assert_eq!(seen, ["call", "session"]);
    let rid = a
        .agent
        .send(ClientFrame::CallStart {
            session: a.session.clone(),
        })
        .await;
    let code = a.agent.expect_error(Some(rid)).await;
    assert!(
        matches!(code, ErrorCode::SessionEnded | ErrorCode::InvalidFrame),
        "{code:?}"
    );
}

#[tokio::test]
async fn a_call_cut_by_a_restart_ends_with_a_note_on_both_sides() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("hello").await;
    let call = active_call(&mut a).await;
    let (agent_token, visitor_token, session) = (
        a.agent_token.clone(),
        a.visitor_token.clone(),
        a.session.clone(),
    );
    drop(a);

    let server = server.restart().await;
    let mut agent = server.agent_client(&agent_token).await;
    let (mut visitor, _, welcome) = server.visitor(Some(visitor_token)).await;
    let ServerFrame::Welcome { sessions, .. } = welcome else {
        unreachable!()
    };
    assert_eq!(sessions[0].call, None, "no call is left ringing or active");
    for side in [&mut agent, &mut visitor] {
        let history = side.history(&session).await;
        let last = history.iter().rev().find_map(|e| match &e.body {
            EventBody::Call {
                call,
                action,
                reason,
                ..
            } => Some((call.clone(), *action, *reason)),
            _ => None,
        });
        assert_eq!(
            last,
            Some((
                call.clone(),
                CallAction::Ended,
                Some(CallEndReason::Interrupted)
            ))
        );
    }
    // The session goes on: a new call can ring.
    agent
        .send(ClientFrame::CallStart {
            session: session.clone(),
        })
        .await;
    visitor.expect(call_is(CallPhase::Ringing)).await;
}
