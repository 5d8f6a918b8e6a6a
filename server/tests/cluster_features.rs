//! Cluster features beyond chat and sharing, with visitor and agent on
//! different nodes: a call's media relays through each side's own node's
//! TURN server (and only while the call lasts), pages and form values
//! pushed to the visitor, and a call-back booked for later that is offered
//! at its time even though the core died in between.

mod binary;
mod cluster_support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use protocol::{CallPhase, ClientFrame, IceServer, ServerFrame};
use tandem_server::clock::now_ms;
use tandem_tests::turn_client::TurnClient;
use tandem_tests::{Client, SHOP_ORIGIN};

use cluster_support::*;

/// Serve flags for a node with its own TURN server on a free port, which
/// may relay to the other nodes' relays on loopback.
const WITH_TURN: [&str; 4] = [
    "--turn-listen",
    "127.0.0.1:0",
    "--turn-allow-peer",
    "127.0.0.1/32",
];

/// The TURN entry of a side's call credentials: its address and account.
async fn turn_credentials(side: &mut Client) -> (SocketAddr, String, String) {
    let ServerFrame::CallCredentials { ice_servers, .. } = side
        .expect(|f| matches!(f, ServerFrame::CallCredentials { .. }))
        .await
    else {
        unreachable!()
    };
    let turn: &IceServer = ice_servers
        .iter()
        .find(|s| s.urls.iter().any(|u| u.starts_with("turn:")))
        .expect("a TURN server");
    let url = turn.urls.iter().find(|u| u.starts_with("turn:")).unwrap();
    let addr = url["turn:".len()..].split('?').next().unwrap();
    (
        addr.parse().expect("an address"),
        turn.username.clone().expect("a username"),
        turn.credential.clone().expect("a password"),
    )
}

#[tokio::test]
async fn each_side_of_a_call_relays_through_its_own_nodes_turn_while_the_call_lasts() {
    let cluster = Cluster::new().await;
    let core = cluster.node_with(&WITH_TURN);
    let gateway = cluster.node_with(&WITH_TURN);
    let password = cluster.add_agent("ana@example.com", "Ana").await;
    let token = login(&gateway, "ana@example.com", &password).await;
    let (mut ana, mut visitor, session, _) = conversation(&gateway, &core, &token).await;

    ana.send(ClientFrame::CallStart {
        session: session.clone(),
    })
    .await;
    let ServerFrame::Call { call, .. } = visitor
        .expect(|f| matches!(f, ServerFrame::Call { call, .. } if call.phase == CallPhase::Ringing))
        .await
    else {
        unreachable!()
    };
    visitor
        .send(ClientFrame::CallAccept {
            session: session.clone(),
            call: call.id.clone(),
        })
        .await;
    let (ana_turn, ana_user, ana_pass) = turn_credentials(&mut ana).await;
    let (visitor_turn, visitor_user, visitor_pass) = turn_credentials(&mut visitor).await;
    assert_eq!(Some(ana_turn), gateway.turn, "the agent's node's own TURN");
    assert_eq!(
        Some(visitor_turn),
        core.turn,
        "the visitor's node's own TURN"
    );

    // Media goes relay to relay, from one node's TURN to the other's: the
    // gateway's TURN accepts the call at once (it was told before the
    // credentials went out).
    let mut ana_relay = TurnClient::allocate(ana_turn, &ana_user, &ana_pass).await;
    let mut visitor_relay = TurnClient::allocate(visitor_turn, &visitor_user, &visitor_pass).await;
    assert_eq!(
        ana_relay.create_permission(&[visitor_relay.relay]).await,
        Ok(())
    );
    assert_eq!(
        visitor_relay.create_permission(&[ana_relay.relay]).await,
        Ok(())
    );
    ana_relay
        .send_indication(visitor_relay.relay, b"voice")
        .await;
    let (from, data) = visitor_relay.recv_data().await;
    assert_eq!((from, data.as_slice()), (ana_relay.relay, &b"voice"[..]));

    // Once the call ends, neither node relays for it any more.
    ana.send(ClientFrame::CallEnd {
        session: session.clone(),
        call: call.id,
        reason: None,
    })
    .await;
    visitor
        .expect(|f| matches!(f, ServerFrame::Call { call, .. } if call.phase == CallPhase::Ended))
        .await;
    for (turn, user, pass) in [
        (ana_turn, &ana_user, &ana_pass),
        (visitor_turn, &visitor_user, &visitor_pass),
    ] {
        // The gateway hears of the end a moment after the sides do.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match TurnClient::try_allocate(turn, user, pass).await {
                Err(code) => {
                    assert_eq!(code, 400, "refused for its ended call");
                    break;
                }
                Ok(_) => assert!(Instant::now() < deadline, "{turn} still relays"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    cluster.drop_database().await;
}

#[tokio::test]
async fn pages_and_form_values_pushed_from_another_node_reach_the_visitor() {
    use protocol::{FieldPush, FieldValue, FormAnswer, FormOutcome, PageInfo};
    let AcrossGateways {
        cluster,
        nodes: _nodes,
        mut ana,
        mut visitor,
        session,
    } = AcrossGateways::start().await;
    let cart = format!("{SHOP_ORIGIN}/cart");
    visitor
        .send(ClientFrame::PageView {
            page: PageInfo {
                url: cart.clone(),
                title: "Cart".into(),
            },
        })
        .await;
    // Frames of one socket are applied in order: once the agent hears
    // this, the page view is stored.
    say(&mut visitor, &session, "I am on the cart").await;
    heard(&mut ana, "I am on the cart").await;
    let event_is = |kind: &'static str| move |f: &ServerFrame| matches!(f, ServerFrame::Event { event, .. } if event.body.kind() == kind);

    // A page of the visitor's site, proposed and accepted.
    let checkout = format!("{SHOP_ORIGIN}/checkout");
    ana.send(ClientFrame::PagePush {
        session: session.clone(),
        url: checkout.clone(),
        label: Some("Checkout".into()),
    })
    .await;
    let ServerFrame::PagePush { push, url, .. } = visitor
        .expect(|f| matches!(f, ServerFrame::PagePush { .. }))
        .await
    else {
        unreachable!()
    };
    assert_eq!(url, checkout);
    visitor
        .send(ClientFrame::PageAnswer {
            session: session.clone(),
            push,
            accepted: true,
        })
        .await;
    ana.expect(event_is("page_answer")).await;

    // A value for a field of the shared page, proposed and applied.
    start_sharing(&mut ana, &mut visitor, &session).await;
    ana.send(ClientFrame::FormPush {
        session: session.clone(),
        url: cart,
        fields: vec![FieldPush {
            node: 12,
            name: "email".into(),
            value: FieldValue::Text("ana@example.com".into()),
        }],
    })
    .await;
    let ServerFrame::FormPush { push, by, .. } = visitor
        .expect(|f| matches!(f, ServerFrame::FormPush { .. }))
        .await
    else {
        unreachable!()
    };
    assert_eq!(by.as_deref(), Some("Ana"));
    visitor
        .send(ClientFrame::FormAnswer(FormAnswer {
            session: session.clone(),
            push,
            outcome: FormOutcome::Accepted,
            applied: vec!["email".into()],
            rejected: vec![],
            errors: vec![],
        }))
        .await;
    ana.expect(event_is("form_answer")).await;
    cluster.drop_database().await;
}

#[tokio::test]
async fn a_call_back_booked_for_later_is_offered_at_its_time_after_the_core_died() {
    use protocol::{Callback, Unavailable};
    let cluster = Cluster::new().await;
    let core = cluster.node();
    let (g1, g2) = (cluster.node(), cluster.node());
    let password = cluster.add_agent("ana@example.com", "Ana").await;
    let token = login(&g2, "ana@example.com", &password).await;

    // Nobody is online: the visitor books a call back a few seconds ahead.
    let (mut visitor, visitor_token) = visitor(&g1, None).await;
    let session = visitor.ask_for_help("Please call me about my order").await;
    visitor
        .expect(|f| {
            matches!(
                f,
                ServerFrame::QueuePosition {
                    unavailable: Some(Unavailable::NoAgents),
                    ..
                }
            )
        })
        .await;
    let at = now_ms() + 6_000;
    visitor
        .send(ClientFrame::CallbackRequest {
            session: session.clone(),
            callback: Callback::Phone {
                phone: "(555) 123-4567".into(),
                at: Some(at),
            },
        })
        .await;
    visitor
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.callback.is_some()))
        .await;

    // The core dies before it is due; an agent comes online on a gateway.
    drop(core);
    let _ = visitor.expect_close().await;
    let _visitor = visitor_back(&g1, visitor_token).await;
    let mut ana = agent(&g2, &token).await;
    ana.go_online().await;

    // Offered at its time, not before.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < deadline, "the call back was never offered");
        let frame = match tokio::time::timeout(Duration::from_secs(1), ana.recv()).await {
            Ok(Ok(env)) => env.frame,
            Ok(Err(e)) => panic!("{e}"),
            Err(_) => continue,
        };
        if matches!(&frame, ServerFrame::Offer { session: s, .. } if *s == session) {
            assert!(now_ms() >= at, "offered {} ms early", at - now_ms());
            break;
        }
    }
    ana.accept(&session).await;
    cluster.drop_database().await;
}
