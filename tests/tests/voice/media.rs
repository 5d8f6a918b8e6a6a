//! Real WebRTC peers (webrtc-rs) as visitor and agent: they negotiate through
//! the server's WebSocket (offer, answer and trickled candidates as
//! `call.signal`), then send Opus RTP both ways. Once directly, once through
//! the embedded TURN server only; and with forged, expired and stale TURN
//! credentials, which must find no path, quickly, and harm nothing else.

use std::sync::Arc;
use std::time::Instant;

use protocol::{CallEndReason, CallPhase, ClientFrame, IceServer, Role, ServerFrame};
use tandem_server::turn::Credentials;
use tandem_tests::{Accepted, TestServer};
use webrtc::peer_connection::RTCIceCandidateType;

use crate::peer::{CONNECT, Peer, ice_servers, talk_over};
use crate::{active_call, call_is};

const PACKETS: u32 = 10;

/// A call the visitor accepted, with both peers connected and audio flowing
/// both ways. Returns the peers, the clients and the call id.
async fn talk(mut a: Accepted, relay_only: bool) -> (Arc<Peer>, Arc<Peer>, Accepted, String) {
    let call = active_call(&mut a).await;
    let (agent, visitor, a) = talk_over(a, &call, relay_only, PACKETS).await;
    (agent, visitor, a, call)
}

async fn hang_up(a: &mut Accepted, call: &str) {
    a.agent
        .send(ClientFrame::CallEnd {
            session: a.session.clone(),
            call: call.to_string(),
            reason: None,
        })
        .await;
    a.visitor.expect(call_is(CallPhase::Ended)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opus_flows_both_ways_over_a_direct_path() {
    let server = TestServer::start().await;
    let a = server.accepted_session("can you hear me?").await;
    let (agent, visitor, mut a, call) = talk(a, false).await;
    assert!(agent.received() >= PACKETS && visitor.received() >= PACKETS);
    agent.close().await;
    visitor.close().await;
    hang_up(&mut a, &call).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opus_flows_both_ways_through_the_embedded_turn_server() {
    let server = TestServer::start().await;
    let turn = server
        .running
        .turn_addr
        .expect("the embedded TURN server runs");
    let a = server.accepted_session("behind a firewall").await;
    let (agent, visitor, mut a, call) = talk(a, true).await;
    // Relay-only: every candidate either side offered is a relay on our server.
    for peer in [&agent, &visitor] {
        let types = peer.gathered(CONNECT).await.expect("gathering completes");
        assert!(!types.is_empty(), "no candidates through {turn}");
        assert!(
            types.iter().all(|t| *t == RTCIceCandidateType::Relay),
            "{types:?}"
        );
    }
    let held = server.running.turn_allocations().await;
    assert!(held.iter().any(|u| u.ends_with(":agent")), "{held:?}");
    assert!(held.iter().any(|u| u.ends_with(":visitor")), "{held:?}");

    // Hanging up frees the relays at once, though both peers are still open.
    hang_up(&mut a, &call).await;
    let until = Instant::now() + CONNECT;
    while !server.running.turn_allocations().await.is_empty() {
        assert!(Instant::now() < until, "the relays outlive the call");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    agent.close().await;
    visitor.close().await;
}

/// Gathers relay-only candidates with `ice`; returns how many relays it got.
async fn relays_with(ice: &[IceServer]) -> usize {
    let (peer, _signals) = Peer::new(ice, true).await.expect("peer");
    peer.offer().await.expect("offer");
    let types = peer.gathered(CONNECT).await.expect("gathering completes");
    peer.close().await;
    types
        .iter()
        .filter(|t| **t == RTCIceCandidateType::Relay)
        .count()
}

fn with_credential(ice: &[IceServer], username: &str, credential: &str) -> Vec<IceServer> {
    ice.iter()
        .map(|s| IceServer {
            username: Some(username.to_string()),
            credential: Some(credential.to_string()),
            ..s.clone()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_expired_and_stale_turn_credentials_find_no_path() {
    const SECRET: &str = "a secret shared by the test";
    let server = TestServer::start_with(|c| c.voice.turn_secret = Some(SECRET.into())).await;
    let mut a = server.accepted_session("hello").await;
    let call = active_call(&mut a).await;
    let ice = ice_servers(&mut a.visitor).await;
    let good = ice[0].clone();
    let user = good.username.clone().unwrap();

    // The real credentials work (the baseline the refusals are measured against).
    assert!(relays_with(&ice).await > 0, "good credentials give a relay");

    // A forged password, and a well-signed username that has expired.
    let forged = with_credential(&ice, &user, "Zm9yZ2VkLXBhc3N3b3Jk");
    let started = Instant::now();
    assert_eq!(
        relays_with(&forged).await,
        0,
        "a forged password is refused"
    );
    let hour_ago = (tandem_server::clock::now_ms() / 1000 - 3600) as u64;
    let old = Credentials::new(SECRET, 600).issue(&a.session, Role::Visitor, hour_ago);
    let expired = with_credential(&ice, &old.username, &old.password);
    assert_eq!(
        relays_with(&expired).await,
        0,
        "an expired username is refused"
    );
    // "Within seconds": gathering gave up; the client can tell the user.
    println!("two refused gatherings took {:?}", started.elapsed());

    // The visitor's client reports that no path was found; both sides learn it.
    a.visitor
        .send(ClientFrame::CallEnd {
            session: a.session.clone(),
            call: call.clone(),
            reason: Some(CallEndReason::Failed),
        })
        .await;
    for side in [&mut a.agent, &mut a.visitor] {
        let ServerFrame::Call { call: ended, .. } = side.expect(call_is(CallPhase::Ended)).await
        else {
            unreachable!()
        };
        assert_eq!(ended.end_reason, Some(CallEndReason::Failed));
    }

    // Credentials are bound to the call: once it ended, even good ones are refused.
    assert_eq!(relays_with(&ice).await, 0, "credentials of an ended call");

    // Nothing else was affected: a new call talks through the relay.
    let (agent, visitor, _, _) = talk(a, true).await;
    agent.close().await;
    visitor.close().await;
}
