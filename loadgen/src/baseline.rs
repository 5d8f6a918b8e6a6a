//! Pairs on a baseline relay (the bare axum one or the Node `ws` one): both
//! speak `GET /ws?pair=K&side=visitor|agent` and forward text frames from one
//! side to the other. No authentication, no routing, no storage: the relays
//! show what carrying the same frames costs when nothing else is done.

use anyhow::Result;

use crate::net::{CONNECT_CONCURRENCY, Dialer, bounded};
use crate::pairs::{Frames, Pair, stand_in_session};

pub async fn pairs(dialer: &Dialer, n: usize, frames: &Frames) -> Result<Vec<Pair>> {
    eprintln!("loadgen: connecting {n} pairs to the relay");
    // Two connections per step: half as many steps at a time keeps the same
    // number of handshakes in progress as for Tandem.
    bounded(0..n, CONNECT_CONCURRENCY / 2, |i| async move {
        let agent = dialer
            .connect(&format!("/ws?pair={i}&side=agent"), None)
            .await?;
        let visitor = dialer
            .connect(&format!("/ws?pair={i}&side=visitor"), None)
            .await?;
        let mut pair = Pair {
            visitor,
            agent,
            session: stand_in_session(i),
        };
        pair.check(frames).await?;
        Ok(pair)
    })
    .await
}
