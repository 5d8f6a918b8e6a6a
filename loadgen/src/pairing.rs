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
    /// From `help.request` to the agent the distributor chose receiving the `offer`.
    pub offer: Summary,
    /// From `help.request` to the first online agent receiving the new queue.
    pub first_agent: Summary,
    /// From `help.request` to the last of the online agents receiving it.
    pub all_agents: Summary,
    /// Average size of the `queue` frames agents received.
    pub queue_frame_bytes: f64,
    /// Server CPU over the measured requests (each: a request and its accept).
    pub server_cpu: CpuUse,
}

/// A `queue` or `offer` frame as an agent received it. Whether it names a
/// session is a substring search for the session's id (128 random bits, so
/// it cannot appear by chance): parsing thousands of large queue frames
/// would make the single-threaded generator, not the server, the slow part.
struct Seen {
    agent: usize,
    at: Instant,
    offer: bool,
    frame: Utf8Bytes,
}

/// When each agent first received a queue frame that passed the test, and
/// which agent was offered the request, if one was looked for.
struct Round {
    queued: Vec<Instant>,
    offer: Option<(usize, Instant)>,
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
        let all_waiting = |f: &str| waiting.iter().all(|w| f.contains(w.as_str()));
        watch(&mut seen, agents, &mut bytes, all_waiting, None).await?;
    }

    eprintln!("loadgen: {requests} help requests, one at a time");
    let mut offer = Latencies::default();
    let mut first = Latencies::default();
    let mut all = Latencies::default();
    let cpu_before = CpuTimes::read(server_pid)?;
    for mut visitor in measured {
        tokio::time::sleep(pause).await;
        let asked = Instant::now();
        let session = request_help(&mut visitor).await?;
        let listed = |f: &str| f.contains(&session);
        let round = watch(&mut seen, agents, &mut bytes, listed, Some(&session)).await?;
        let since = |t: Instant| t.duration_since(asked).as_nanos() as u64;
        let (chosen, offered_at) = round.offer.expect("watch waits for the offer");
        offer.record(since(offered_at));
        let queued = round.queued.iter().copied().map(since);
        first.record(queued.clone().min().unwrap_or(0));
        all.record(queued.max().unwrap_or(0));
        // The chosen agent takes it, as a console would.
        let accept = ClientEnvelope::new(ClientFrame::QueueAccept {
            session: session.clone(),
        });
        sinks[chosen]
            .send(Message::Text(Utf8Bytes::from(accept.to_json())))
            .await
            .context("sending queue.accept")?;
        let gone = |f: &str| !f.contains(&session);
        watch(&mut seen, agents, &mut bytes, gone, None).await?;
        drop(visitor);
    }
    let server_cpu = CpuTimes::read(server_pid)?.since(&cpu_before);
    Ok(PairingRun {
        agents,
        requests,
        backlog,
        pause_ms: pause.as_millis() as u64,
        offer: offer.summary(),
        first_agent: first.summary(),
        all_agents: all.summary(),
        queue_frame_bytes: bytes.0 as f64 / bytes.1.max(1) as f64,
        server_cpu,
    })
}

/// Forwards every `queue` and `offer` frame an agent receives, with its arrival time.
async fn watch_queue(
    agent: usize,
    mut stream: futures_util::stream::SplitStream<Ws>,
    seen: mpsc::UnboundedSender<Seen>,
) {
    while let Some(Ok(msg)) = stream.next().await {
        let at = Instant::now();
        let Message::Text(frame) = msg else { continue };
        let offer = frame.as_str().contains("\"type\":\"offer\"");
        if !offer && !frame.as_str().contains("\"type\":\"queue\"") {
            continue;
        }
        let seen_frame = Seen {
            agent,
            at,
            offer,
            frame,
        };
        if seen.send(seen_frame).is_err() {
            return;
        }
    }
}

/// Waits until every agent received a queue frame that passes `done` and,
/// when `offer_of` names a session, until some agent was offered it. Adds
/// the queue frames' sizes to `bytes`.
async fn watch(
    seen: &mut mpsc::UnboundedReceiver<Seen>,
    agents: usize,
    bytes: &mut (usize, usize),
    done: impl Fn(&str) -> bool,
    offer_of: Option<&str>,
) -> Result<Round> {
    let mut when: Vec<Option<Instant>> = vec![None; agents];
    let mut left = agents;
    let mut offer = None;
    let deadline = tokio::time::Instant::now() + STEP_TIMEOUT.max(Duration::from_secs(30));
    while left > 0 || (offer_of.is_some() && offer.is_none()) {
        let s = tokio::time::timeout_at(deadline, seen.recv())
            .await
            .map_err(|_| match offer {
                None if left == 0 => anyhow!("no agent was offered the request"),
                _ => anyhow!("{left} of {agents} agents did not see the queue change"),
            })?
            .ok_or_else(|| anyhow!("every agent connection ended"))?;
        if s.offer {
            if offer_of.is_some_and(|id| s.frame.as_str().contains(id)) && offer.is_none() {
                offer = Some((s.agent, s.at));
            }
            continue;
        }
        bytes.0 += s.frame.len();
        bytes.1 += 1;
        if when[s.agent].is_none() && done(s.frame.as_str()) {
            when[s.agent] = Some(s.at);
            left -= 1;
        }
    }
    Ok(Round {
        queued: when.into_iter().flatten().collect(),
        offer,
    })
}
