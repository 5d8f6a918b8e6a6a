//! Memory held per idle connection: visitors who said `hello` and wait.

use std::time::{Duration, Instant};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::net::{CONNECT_CONCURRENCY, bounded};
use crate::tandem::Tandem;
use crate::usage::{Memory, memory};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdleRun {
    pub visitors: usize,
    pub connect_secs: f64,
    pub before: Memory,
    pub after: Memory,
    /// (RSS after − RSS before) / visitors.
    pub bytes_per_connection: f64,
}

/// How long connections sit before memory is read, so buffers the server
/// frees after the handshake are gone from the count.
const SETTLE: Duration = Duration::from_secs(1);

pub async fn idle(tandem: &Tandem, visitors: usize, server_pid: u32) -> Result<IdleRun> {
    let before = memory(server_pid)?;
    let started = Instant::now();
    eprintln!("loadgen: connecting {visitors} idle visitors");
    let open = bounded(0..visitors, CONNECT_CONCURRENCY, |_| tandem.visitor()).await?;
    let connect_secs = started.elapsed().as_secs_f64();
    tokio::time::sleep(SETTLE).await;
    let after = memory(server_pid)?;
    drop(open);
    Ok(IdleRun {
        visitors,
        connect_secs,
        before,
        after,
        bytes_per_connection: after.rss.saturating_sub(before.rss) as f64 / visitors as f64,
    })
}
