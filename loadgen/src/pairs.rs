//! Visitor/agent pairs and the chat traffic they carry, the same for Tandem
//! and for the baseline relays.
//!
//! A visitor sends `chat.send` frames; a message counts as delivered when the
//! agent side receives a frame naming it: Tandem's `event`, or the relayed
//! `chat.send` itself. Each frame's `client_id` carries the time it was sent
//! (nanoseconds on this process's monotonic clock), so the one-way latency is
//! read off the frame that arrives, with no bookkeeping per message.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use futures_util::StreamExt;
use protocol::{ClientEnvelope, ClientFrame};
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;
use tokio::time::sleep_until;
use tokio_tungstenite::tungstenite::Message;

use crate::net::{STEP_TIMEOUT, Ws, next_text, send_text};
use crate::stats::{Latencies, Summary};
use crate::usage::{CpuTimes, CpuUse};

pub struct Pair {
    pub visitor: Ws,
    pub agent: Ws,
    /// The session the chat frames name: Tandem's, or a stand-in of the same
    /// length for the relays, so every target carries frames of one size.
    pub session: String,
}

/// A session id shaped like Tandem's (`s_` + 32 hex digits), for the relays.
pub fn stand_in_session(i: usize) -> String {
    format!("s_{i:032x}")
}

/// The `chat.send` frames a visitor sends.
pub struct Frames {
    text: String,
}

const STAMP_PREFIX: &str = "\"client_id\":\"b";

impl Frames {
    pub fn new(text_bytes: usize) -> Frames {
        let sentence = "Where can I change the delivery address of my order? ";
        let text: String = sentence.chars().cycle().take(text_bytes.max(1)).collect();
        Frames { text }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn chat(&self, session: &str, stamp: u64) -> String {
        ClientEnvelope::new(ClientFrame::ChatSend {
            session: session.to_string(),
            client_id: Some(format!("b{stamp}")),
            text: self.text.clone(),
        })
        .to_json()
    }
}

/// The send time a frame carries, if it is one of ours. A substring search
/// rather than a JSON parse: Tandem's `event` and the relayed `chat.send`
/// both hold `"client_id":"b<nanos>"`, and the receiving side must stay cheap
/// so that it is the server, not the load generator, that saturates.
pub fn stamp_of(frame: &str) -> Option<u64> {
    let at = frame.find(STAMP_PREFIX)? + STAMP_PREFIX.len();
    let digits = &frame[at..];
    let end = digits.find('"')?;
    digits[..end].parse().ok()
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn stamp_at(t: Instant) -> u64 {
    t.saturating_duration_since(epoch()).as_nanos() as u64
}

fn instant_of(stamp: u64) -> Instant {
    epoch() + Duration::from_nanos(stamp)
}

impl Pair {
    /// Sends one frame through the pair and waits for it on the agent side,
    /// so measurement starts only once every route is in place. A relay may
    /// register a connection a moment after its handshake, so a frame that
    /// does not arrive within a second is sent again.
    pub async fn check(&mut self, frames: &Frames) -> Result<()> {
        for _ in 0..STEP_TIMEOUT.as_secs() {
            let stamp = stamp_at(Instant::now());
            send_text(&mut self.visitor, frames.chat(&self.session, stamp)).await?;
            if self
                .await_stamp(stamp, Duration::from_secs(1))
                .await
                .is_ok()
            {
                return Ok(());
            }
        }
        bail!("no frame reached the agent within {STEP_TIMEOUT:?}")
    }

    async fn await_stamp(&mut self, stamp: u64, patience: Duration) -> Result<()> {
        tokio::time::timeout(patience, async {
            loop {
                if stamp_of(&next_text(&mut self.agent).await?) == Some(stamp) {
                    return Ok(());
                }
            }
        })
        .await
        .map_err(|_| anyhow!("a frame did not reach the agent within {patience:?}"))?
    }
}

/// What a traffic phase measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Phase {
    /// Messages per second delivered to agents during the measured window.
    pub rate: f64,
    /// One-way latency of the messages sent during the measured window.
    pub latency: Summary,
    /// `error` frames the server sent visitors (e.g. `rate_limited`).
    pub errors: u64,
    /// Messages still undelivered when the phase gave up waiting.
    pub lost: u64,
    /// Connections that ended during the phase, with the first reason.
    pub closed: u64,
    pub first_failure: Option<String>,
    pub server_cpu: CpuUse,
    pub loadgen_cpu: CpuUse,
}

/// Light load: one message in flight in the whole run, sent from each pair
/// in turn, `gap` apart (which also keeps each pair far below any rate limit).
pub async fn light(
    pairs: &mut [Pair],
    frames: &Frames,
    messages: usize,
    gap: Duration,
) -> Result<Phase> {
    let mut latencies = Latencies::default();
    for k in 0..messages {
        let pair = &mut pairs[k % pairs.len()];
        let sent = Instant::now();
        let stamp = stamp_at(sent);
        send_text(&mut pair.visitor, frames.chat(&pair.session, stamp)).await?;
        pair.await_stamp(stamp, STEP_TIMEOUT).await?;
        latencies.record(sent.elapsed().as_nanos() as u64);
        sleep_until((sent + gap).into()).await;
    }
    Ok(Phase {
        latency: latencies.summary(),
        ..Phase::default()
    })
}

/// How a pair decides when to send.
#[derive(Debug, Clone, Copy)]
pub enum Schedule {
    /// Closed loop: keep `window` messages in flight, and, when the server
    /// limits each connection's rate, send no faster than `max_rate` per second.
    Closed { window: u32, max_rate: Option<f64> },
    /// Open loop: send `rate` messages per second on a fixed timetable,
    /// whatever comes back. Latency counts from the planned send time, so a
    /// late send (the generator falling behind) is not hidden.
    Open { rate: f64 },
}

/// When a phase starts, measures, stops sending, and stops waiting.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub start: Instant,
    pub measure_from: Instant,
    pub end: Instant,
    pub give_up: Instant,
}

impl Timing {
    pub fn new(warmup: Duration, measure: Duration, drain: Duration) -> Timing {
        let start = Instant::now() + Duration::from_millis(50);
        let measure_from = start + warmup;
        let end = measure_from + measure;
        Timing {
            start,
            measure_from,
            end,
            give_up: end + drain,
        }
    }
}

/// Drives every pair on its own task; returns the pairs (for the next phase) and what was measured.
pub async fn drive(
    pairs: Vec<Pair>,
    frames: &Arc<Frames>,
    schedule: Schedule,
    timing: Timing,
    server_pid: u32,
) -> Result<(Vec<Pair>, Phase)> {
    let n = pairs.len();
    let cpu = tokio::spawn(cpu_during(server_pid, timing));
    let mut tasks = JoinSet::new();
    for (i, pair) in pairs.into_iter().enumerate() {
        // Spread the pairs' first sends over one period so they do not all fire at once.
        let offset = period(schedule).mul_f64(i as f64 / n as f64);
        let frames = frames.clone();
        tasks.spawn(async move {
            let (pair, tally) = drive_pair(pair, &frames, schedule, timing, offset).await;
            (i, pair, tally)
        });
    }
    let mut slots: Vec<Option<Pair>> = (0..n).map(|_| None).collect();
    let mut total = Tally::default();
    while let Some(joined) = tasks.join_next().await {
        let (i, pair, tally) = joined?;
        slots[i] = Some(pair);
        total.add(tally);
    }
    let (server_cpu, loadgen_cpu) = cpu.await??;
    let window = timing.end.duration_since(timing.measure_from).as_secs_f64();
    let phase = Phase {
        rate: total.received as f64 / window,
        latency: total.latencies.summary(),
        errors: total.errors,
        lost: total.lost,
        closed: total.closed,
        first_failure: total.first_failure,
        server_cpu,
        loadgen_cpu,
    };
    let pairs: Vec<Pair> = slots.into_iter().flatten().collect();
    if pairs.len() != n {
        bail!("a pair task did not return its pair");
    }
    Ok((pairs, phase))
}

/// The server's and this process's CPU use over the measured window.
async fn cpu_during(server_pid: u32, timing: Timing) -> Result<(CpuUse, CpuUse)> {
    let me = std::process::id();
    sleep_until(timing.measure_from.into()).await;
    let (server0, me0) = (CpuTimes::read(server_pid)?, CpuTimes::read(me)?);
    sleep_until(timing.end.into()).await;
    let (server1, me1) = (CpuTimes::read(server_pid)?, CpuTimes::read(me)?);
    Ok((server1.since(&server0), me1.since(&me0)))
}

fn period(schedule: Schedule) -> Duration {
    let rate = match schedule {
        Schedule::Closed { max_rate, .. } => max_rate,
        Schedule::Open { rate } => Some(rate),
    };
    rate.filter(|r| *r > 0.0)
        .map_or(Duration::ZERO, |r| Duration::from_secs_f64(1.0 / r))
}

#[derive(Default)]
struct Tally {
    latencies: Latencies,
    received: u64,
    errors: u64,
    lost: u64,
    closed: u64,
    first_failure: Option<String>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.latencies.merge(other.latencies);
        self.received += other.received;
        self.errors += other.errors;
        self.lost += other.lost;
        self.closed += other.closed;
        if self.first_failure.is_none() {
            self.first_failure = other.first_failure;
        }
    }

    fn failed(&mut self, why: String) {
        self.closed += 1;
        self.first_failure.get_or_insert(why);
    }
}

async fn drive_pair(
    mut pair: Pair,
    frames: &Frames,
    schedule: Schedule,
    t: Timing,
    offset: Duration,
) -> (Pair, Tally) {
    let mut tally = Tally::default();
    let period = period(schedule);
    // Closed loop: the earliest time the next send is allowed. Open loop: the
    // planned time of the next send.
    let mut next = t.start + offset;
    let mut in_flight: u32 = 0;
    sleep_until(t.start.into()).await;
    loop {
        let now = Instant::now();
        let sending = now < t.end;
        if sending {
            let sent = match schedule {
                Schedule::Closed { window, .. } => {
                    let mut sent = Ok(());
                    while in_flight < window && next <= now && sent.is_ok() {
                        let at = Instant::now();
                        sent =
                            send_text(&mut pair.visitor, frames.chat(&pair.session, stamp_at(at)))
                                .await;
                        in_flight += 1;
                        // A little catch-up after a stall, far less than the
                        // server's burst allowance, so pacing never trips its limit.
                        next = next.max(now.checked_sub(period * 2).unwrap_or(now)) + period;
                    }
                    sent
                }
                Schedule::Open { .. } => {
                    let mut sent = Ok(());
                    while next <= now && next < t.end && sent.is_ok() {
                        sent = send_text(
                            &mut pair.visitor,
                            frames.chat(&pair.session, stamp_at(next)),
                        )
                        .await;
                        in_flight += 1;
                        next += period;
                    }
                    sent
                }
            };
            if let Err(e) = sent {
                tally.failed(format!("{e:#}"));
                break;
            }
        }
        if (!sending && in_flight == 0) || now >= t.give_up {
            break;
        }
        let can_send = match schedule {
            Schedule::Closed { window, .. } => in_flight < window,
            Schedule::Open { .. } => true,
        };
        let wake = if sending && can_send {
            next.min(t.end)
        } else if sending {
            t.end
        } else {
            t.give_up
        };
        tokio::select! {
            msg = pair.agent.next() => match msg {
                Some(Ok(Message::Text(text))) => {
                    let Some(stamp) = stamp_of(&text) else { continue };
                    let arrived = Instant::now();
                    in_flight = in_flight.saturating_sub(1);
                    let sent = instant_of(stamp);
                    if sent >= t.measure_from && sent < t.end {
                        tally.latencies.record(arrived.duration_since(sent).as_nanos() as u64);
                    }
                    if arrived >= t.measure_from && arrived < t.end {
                        tally.received += 1;
                    }
                }
                Some(Ok(Message::Close(frame))) => { tally.failed(format!("agent closed: {frame:?}")); break }
                Some(Ok(_)) => {}
                Some(Err(e)) => { tally.failed(format!("agent: {e}")); break }
                None => { tally.failed("agent connection ended".into()); break }
            },
            // Tandem echoes each message to its sender and reports refusals
            // here; reading keeps the server from counting the visitor as lagging.
            msg = pair.visitor.next() => match msg {
                Some(Ok(Message::Text(text))) => {
                    if text.as_str().contains("\"type\":\"error\"") {
                        tally.errors += 1;
                    }
                }
                Some(Ok(Message::Close(frame))) => { tally.failed(format!("visitor closed: {frame:?}")); break }
                Some(Ok(_)) => {}
                Some(Err(e)) => { tally.failed(format!("visitor: {e}")); break }
                None => { tally.failed("visitor connection ended".into()); break }
            },
            _ = sleep_until(wake.into()) => {}
        }
    }
    tally.lost = in_flight as u64;
    (pair, tally)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_survive_both_frame_shapes() {
        let frames = Frames::new(100);
        let sent = frames.chat(&stand_in_session(7), 123_456_789);
        assert_eq!(stamp_of(&sent), Some(123_456_789));
        assert!(sent.contains("s_00000000000000000000000000000007"));
        let event = r#"{"v":1,"type":"event","session":"s_1","event":{"seq":3,"at":1,"author":"visitor","kind":"message","text":"hi","client_id":"b42"}}"#;
        assert_eq!(stamp_of(event), Some(42));
        assert_eq!(stamp_of(r#"{"v":1,"type":"event","client_id":"c1"}"#), None);
    }

    #[test]
    fn text_has_the_requested_size() {
        assert_eq!(Frames::new(100).text.len(), 100);
    }
}
