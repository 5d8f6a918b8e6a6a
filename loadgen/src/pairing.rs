//! Pairing: how long after a visitor's `help.request` the online agents see
//! it in their queue. Requests are made one at a time; each is accepted by
//! one agent and the next starts only once every agent has seen the queue
//! change twice (the request arriving, then being taken), so each
//! measurement starts from a quiet server.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use protocol::{AgentPresence, ClientEnvelope, ClientFrame, ServerFrame};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use crate::net::{CONNECT_CONCURRENCY, STEP_TIMEOUT, Ws, bounded};
use crate::stats::{Latencies, Summary};
use crate::tandem::{Tandem, expect, request_help, send};
use crate::usage::{CpuTimes, CpuUse};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairingRun {
    pub agents: usize,
    pub requests: usize,
    /// Requests already waiting (never accepted) while the measured ones are made.
    pub backlog: usize,
    /// Quiet time before each request.
    pub pause_ms: u64,
    /// From `help.request` to the first online agent receiving the new queue.
    pub first_agent: Summary,
    /// From `help.request` to the last of the online agents receiving it.
    pub all_agents: Summary,
    /// Average size of the `queue` frames agents received.
    pub queue_frame_bytes: f64,
    /// Server CPU over the measured requests (each: a request and its accept).
    pub server_cpu: CpuUse,
}

/// One `queue` frame as an agent received it. Whether it lists a session is
/// a substring search for the session's id (128 random bits, so it cannot
/// appear by chance): parsing thousands of large queue frames would make the
/// single-threaded generator, not the server, the slow part.
struct Seen {
    agent: usize,
    at: Instant,
    frame: Utf8Bytes,
}

type AgentSink = SplitSink<Ws, Message>;

pub async fn pairing(
    tandem: &Tandem,
    tokens: &[String],
    agents: usize,
    requests: usize,
    backlog: usize,
    pause: Duration,
    server_pid: u32,
) -> Result<PairingRun> {
    anyhow::ensure!(
        tokens.len() >= agents,
        "{agents} agents need as many tokens"
    );
    eprintln!("loadgen: {agents} agents going online");
    let online = bounded(0..agents, CONNECT_CONCURRENCY, |i| async move {
        let mut ws = tandem.agent(&tokens[i]).await?;
        let online = ClientFrame::PresenceSet {
            presence: AgentPresence::Online,
        };
        send(&mut ws, online).await?;
        expect(&mut ws, "queue", |f| matches!(f, ServerFrame::Queue { .. })).await?;
        Ok(ws)
    })
    .await?;
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    let mut sinks: Vec<AgentSink> = Vec::with_capacity(agents);
    for (agent, ws) in online.into_iter().enumerate() {
        let (sink, stream) = ws.split();
        sinks.push(sink);
        tokio::spawn(watch_queue(agent, stream, seen_tx.clone()));
    }
    drop(seen_tx);

    eprintln!(
        "loadgen: {} visitors, {backlog} of them left waiting",
        backlog + requests
    );
    let mut visitors = bounded(0..backlog + requests, CONNECT_CONCURRENCY, |_| {
        tandem.visitor()
    })
    .await?;
    let measured = visitors.split_off(backlog);
    let mut waiting = Vec::new();
    for mut visitor in visitors {
        waiting.push(request_help(&mut visitor).await?);
        // Waiting visitors get a position update on every queue change: read them.
        tokio::spawn(async move { while let Some(Ok(_)) = visitor.next().await {} });
    }
    let mut bytes = (0usize, 0usize);
    if !waiting.is_empty() {
        until_all_agents(&mut seen, agents, &mut bytes, |f| {
            waiting.iter().all(|w| f.contains(w.as_str()))
        })
        .await?;
    }

    eprintln!("loadgen: {requests} help requests, one at a time");
    let mut first = Latencies::default();
    let mut all = Latencies::default();
    let cpu_before = CpuTimes::read(server_pid)?;
    for (j, mut visitor) in measured.into_iter().enumerate() {
        tokio::time::sleep(pause).await;
        let asked = Instant::now();
        let session = request_help(&mut visitor).await?;
        let times =
            until_all_agents(&mut seen, agents, &mut bytes, |f| f.contains(&session)).await?;
        let since = |t: &Instant| t.duration_since(asked).as_nanos() as u64;
        first.record(times.iter().map(since).min().unwrap_or(0));
        all.record(times.iter().map(since).max().unwrap_or(0));
        let accept = ClientEnvelope::new(ClientFrame::QueueAccept {
            session: session.clone(),
        });
        sinks[j % agents]
            .send(Message::Text(Utf8Bytes::from(accept.to_json())))
            .await
            .context("sending queue.accept")?;
        until_all_agents(&mut seen, agents, &mut bytes, |f| !f.contains(&session)).await?;
        drop(visitor);
    }
    let server_cpu = CpuTimes::read(server_pid)?.since(&cpu_before);
    Ok(PairingRun {
        agents,
        requests,
        backlog,
        pause_ms: pause.as_millis() as u64,
        first_agent: first.summary(),
        all_agents: all.summary(),
        queue_frame_bytes: bytes.0 as f64 / bytes.1.max(1) as f64,
        server_cpu,
    })
}

/// Forwards every `queue` frame an agent receives, with its arrival time.
async fn watch_queue(
    agent: usize,
    mut stream: futures_util::stream::SplitStream<Ws>,
    seen: mpsc::UnboundedSender<Seen>,
) {
    while let Some(Ok(msg)) = stream.next().await {
        let at = Instant::now();
        let Message::Text(text) = msg else { continue };
        if !text.as_str().contains("\"type\":\"queue\"") {
            continue;
        }
        if seen
            .send(Seen {
                agent,
                at,
                frame: text,
            })
            .is_err()
        {
            return;
        }
    }
}

/// Waits until every agent received a queue frame whose sessions satisfy
/// `done`; returns when each did. Also adds the frames' sizes to `bytes`.
async fn until_all_agents(
    seen: &mut mpsc::UnboundedReceiver<Seen>,
    agents: usize,
    bytes: &mut (usize, usize),
    done: impl Fn(&str) -> bool,
) -> Result<Vec<Instant>> {
    let mut when: Vec<Option<Instant>> = vec![None; agents];
    let mut left = agents;
    let deadline = tokio::time::Instant::now() + STEP_TIMEOUT.max(Duration::from_secs(30));
    while left > 0 {
        let s = tokio::time::timeout_at(deadline, seen.recv())
            .await
            .map_err(|_| anyhow!("{left} of {agents} agents did not see the queue change"))?
            .ok_or_else(|| anyhow!("every agent connection ended"))?;
        bytes.0 += s.frame.len();
        bytes.1 += 1;
        if when[s.agent].is_none() && done(s.frame.as_str()) {
            when[s.agent] = Some(s.at);
            left -= 1;
        }
    }
    Ok(when.into_iter().flatten().collect())
}
