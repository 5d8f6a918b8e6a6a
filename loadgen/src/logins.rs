//! Server memory under a storm of concurrent logins: each Argon2 check holds
//! 19 MiB, so unbounded checks grow the server by that much per login in
//! flight. Every login comes from its own loopback source address (see
//! net.rs) for its own seeded agent, so the login throttle, which counts per
//! address and per account, lets them all through to the password check.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::net::{Dialer, STEP_TIMEOUT};
use crate::usage::{Memory, memory};

/// The password `seed` gives every agent.
pub const SEEDED_PASSWORD: &str = "bench-password-not-used-to-log-in";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRun {
    pub logins: usize,
    /// Answered 200.
    pub ok: usize,
    /// Answered 429 `busy`: no password check slot freed up in time.
    pub busy: usize,
    /// Any other answer.
    pub other: usize,
    pub secs: f64,
    pub before: Memory,
    /// The highest RSS seen while the logins ran (sampled every 20 ms).
    pub peak_rss: u64,
    pub after: Memory,
}

pub async fn logins(url: &str, logins: usize, server_pid: u32) -> Result<LoginRun> {
    let dialer = Dialer::new(url)?;
    let before = memory(server_pid)?;
    eprintln!("loadgen: {logins} concurrent logins");
    let started = Instant::now();
    let all = futures_util::future::join_all(
        (0..logins).map(|i| login(&dialer, format!("agent{i}@bench.local"))),
    );
    tokio::pin!(all);
    let mut peak_rss = before.rss;
    let mut sample = tokio::time::interval(Duration::from_millis(20));
    let statuses = loop {
        tokio::select! {
            statuses = &mut all => break statuses,
            _ = sample.tick() => peak_rss = peak_rss.max(memory(server_pid)?.rss),
        }
    };
    let secs = started.elapsed().as_secs_f64();
    let after = memory(server_pid)?;
    let mut run = LoginRun {
        logins,
        ok: 0,
        busy: 0,
        other: 0,
        secs,
        before,
        peak_rss: peak_rss.max(after.rss),
        after,
    };
    for status in statuses {
        match status? {
            200 => run.ok += 1,
            429 => run.busy += 1,
            _ => run.other += 1,
        }
    }
    Ok(run)
}

/// `POST /api/v1/login` over a fresh connection; the HTTP status.
async fn login(dialer: &Dialer, email: String) -> Result<u16> {
    let mut tcp = dialer.tcp().await?;
    let body = serde_json::json!({"email": email, "password": SEEDED_PASSWORD}).to_string();
    let request = format!(
        "POST /api/v1/login HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        dialer.server(),
        body.len()
    );
    tcp.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    // Waiting for a check slot may take a while: allow more than one step.
    tokio::time::timeout(STEP_TIMEOUT * 3, tcp.read_to_end(&mut response))
        .await
        .map_err(|_| anyhow!("no answer to a login"))??;
    let head = String::from_utf8_lossy(&response[..response.len().min(64)]).into_owned();
    head.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not an HTTP answer: {head:?}"))
}
