//! Voice call set-up time on loopback, with the Rust test peers (webrtc-rs):
//! from the visitor's `call.accept` to the first Opus packet heard on both
//! sides, over a direct path and relay-only through the embedded TURN server.
//! Each call builds fresh peer connections, gathers, negotiates through the
//! server's WebSocket (trickled candidates), connects (ICE, DTLS, SRTP) and
//! sends audio.
//!
//! cargo run --release -p tandem-tests --example call_setup [-- CALLS]

// Shared with tests/tests/voice.rs; the gathering helpers are unused here.
#[allow(dead_code)]
#[path = "../tests/voice/peer.rs"]
mod peer;

use std::time::{Duration, Instant};

use protocol::{CallPhase, ClientFrame, ServerFrame};
use tandem_tests::TestServer;

const WARM_UP: usize = 2;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let calls: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(30);
    let server = TestServer::start().await;
    let mut a = server.accepted_session("benchmark").await;
    println!("| Path | Calls | p50 | p95 | max |");
    println!("|---|---:|---:|---:|---:|");
    for (name, relay_only) in [
        ("direct (host candidates)", false),
        ("relayed (TURN, relay-only)", true),
    ] {
        let mut times = Vec::with_capacity(calls);
        for i in 0..calls + WARM_UP {
            let session = a.session.clone();
            a.agent
                .send(ClientFrame::CallStart {
                    session: session.clone(),
                })
                .await;
            let call = match a
                .visitor
                .expect(|f| matches!(f, ServerFrame::Call { call, .. } if call.phase == CallPhase::Ringing))
                .await
            {
                ServerFrame::Call { call, .. } => call.id,
                _ => unreachable!(),
            };
            let accepted = Instant::now();
            a.visitor
                .send(ClientFrame::CallAccept {
                    session: session.clone(),
                    call: call.clone(),
                })
                .await;
            let (agent, visitor, back) = peer::talk_over(a, &call, relay_only, 1).await;
            let took = accepted.elapsed();
            a = back;
            if i >= WARM_UP {
                times.push(took);
            }
            agent.close().await;
            visitor.close().await;
            a.agent
                .send(ClientFrame::CallEnd {
                    session: session.clone(),
                    call,
                    reason: None,
                })
                .await;
            a.visitor
                .expect(|f| matches!(f, ServerFrame::Call { call, .. } if call.phase == CallPhase::Ended))
                .await;
        }
        times.sort();
        let at =
            |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
        println!(
            "| {name} | {} | {} | {} | {} |",
            times.len(),
            ms(at(0.50)),
            ms(at(0.95)),
            ms(*times.last().unwrap())
        );
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}
