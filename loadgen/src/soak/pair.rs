//! One visitor/agent pair of the soak, as a loop of conversations: a visitor
//! (new, or returning with the token it was given) asks for help, the pair's
//! agent takes the request, they chat at a steady rate, now and then one side
//! drops its connection and comes back (resuming from the last seq it saw
//! with `session.sync`), a sharing visitor streams page frames to the agent,
//! and one side ends the conversation. Then the next visitor comes.
//!
//! Every chat message carries a `client_id`; the other side must see its
//! event, live or in the history replayed after a reconnect. A message
//! still unseen when the conversation ends (after a bounded wait) is lost.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use protocol::cobrowse::ShareState;
use protocol::{ClientFrame, EventBody, Role, ServerEnvelope, ServerFrame, SessionState};
use tokio::time::sleep_until;
use tokio_tungstenite::tungstenite::{Bytes, Message};

use super::counters::Counters;
use super::page::Page;
use crate::net::{STEP_TIMEOUT, Ws};
use crate::tandem::{Tandem, accept, expect, request_help, send};

/// How a pair behaves; the same for every pair but `share`.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Chat messages per second from this pair (both sides together).
    pub rate: f64,
    /// Messages per conversation, drawn between these.
    pub messages: (u64, u64),
    /// This pair's visitors share their screen.
    pub share: bool,
    /// Chance, after each message, that the visitor / the agent reconnects.
    pub visitor_reconnect: f64,
    pub agent_reconnect: f64,
    /// Pause between one conversation's end and the next visitor.
    pub between: (Duration, Duration),
}

/// A sharing visitor's page activity: a delta (typing, scrolling) this often,
/// pointer moves this often, and a new page (keyframe) this often.
const DELTA_GAP: Duration = Duration::from_millis(400);
const POINTER_GAP: Duration = Duration::from_millis(250);
const PAGE_GAP: Duration = Duration::from_secs(20);
/// How long a conversation waits for messages still in flight before it ends.
const DRAIN: Duration = Duration::from_secs(10);
/// Failed conversations after which a pair gives up (the run then reports it).
const MAX_FAILURES: u32 = 5;

const TEXT: &str =
    "Could you check whether my parcel left the warehouse? The tracking page says nothing.";

/// One side's view of the conversation.
#[derive(Default)]
struct Side {
    last_seq: u64,
    /// Own messages not yet echoed back as stored events.
    unechoed: HashSet<String>,
    /// The other side's messages not yet seen here.
    awaited: HashSet<String>,
    share: ShareState,
    ended: bool,
}

pub struct Pair {
    index: usize,
    tandem: Arc<Tandem>,
    token: String,
    plan: Plan,
    counters: Arc<Counters>,
    agent: Ws,
    visitor: Option<Ws>,
    visitor_token: Option<String>,
    session: String,
    v: Side,
    a: Side,
    page: Option<Page>,
    keyframe_wanted: bool,
    sent: u64,
    rng: u64,
}

enum Got {
    Agent(Option<Result<Message, tokio_tungstenite::tungstenite::Error>>),
    Visitor(Option<Result<Message, tokio_tungstenite::tungstenite::Error>>),
    Deadline,
}

impl Pair {
    pub async fn connect(
        index: usize,
        tandem: Arc<Tandem>,
        token: String,
        plan: Plan,
        counters: Arc<Counters>,
    ) -> Result<Pair> {
        let agent = tandem.agent(&token).await?;
        Ok(Pair {
            index,
            tandem,
            token,
            plan,
            counters,
            agent,
            visitor: None,
            visitor_token: None,
            session: String::new(),
            v: Side::default(),
            a: Side::default(),
            page: None,
            keyframe_wanted: false,
            sent: 0,
            rng: 0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03),
        })
    }

    /// Conversations, one after another, until `stop`; the last one ends
    /// properly. Failures are counted, and the pair starts afresh after one.
    pub async fn run(mut self, stop: Instant) {
        // Pairs start spread over the first conversation's length.
        let first = self.plan.between.1.mul_f64(self.index as f64 % 97.0 / 97.0);
        tokio::time::sleep(first).await;
        let mut failures = 0;
        while Instant::now() < stop && failures < MAX_FAILURES {
            if let Err(e) = self.conversation(stop).await {
                failures += 1;
                self.counters.failed(format!("pair {}: {e:#}", self.index));
                if let Err(e) = self.start_afresh().await {
                    self.counters.failed(format!("pair {}: {e:#}", self.index));
                    return;
                }
            }
            let (lo, hi) = self.plan.between;
            tokio::time::sleep(lo + (hi - lo).mul_f64(self.unit())).await;
        }
        if let Some(mut ws) = self.visitor.take() {
            let _ = ws.close(None).await;
        }
        let _ = self.agent.close(None).await;
    }

    async fn start_afresh(&mut self) -> Result<()> {
        self.visitor = None;
        self.visitor_token = None;
        self.agent = self.tandem.agent(&self.token).await?;
        Ok(())
    }

    async fn conversation(&mut self, stop: Instant) -> Result<()> {
        let returning = self.visitor_token.is_some() && self.unit() < 0.5;
        let token = if returning {
            self.visitor_token.clone()
        } else {
            None
        };
        let (mut visitor, token) = self.tandem.visitor_as(token).await?;
        self.visitor_token = token;
        self.session = request_help(&mut visitor).await?;
        accept(&mut self.agent, &self.session).await?;
        expect(&mut visitor, "agent_joined", |f| {
            matches!(f, ServerFrame::Event { event, .. } if matches!(event.body, EventBody::AgentJoined { .. }))
        })
        .await?;
        self.visitor = Some(visitor);
        self.v = Side::default();
        self.a = Side::default();
        self.page = None;
        self.counters.started();

        if self.plan.share {
            self.start_sharing().await?;
        }
        let (lo, hi) = self.plan.messages;
        let messages = lo + ((hi - lo + 1) as f64 * self.unit()) as u64;
        let stop_sharing_after = messages * 2 / 3;
        let stops_sharing = self.unit() < 0.5;
        let gap = Duration::from_secs_f64(1.0 / self.plan.rate);
        let mut next_chat = Instant::now() + gap.mul_f64(self.unit());
        let mut next_delta = Instant::now() + DELTA_GAP;
        let mut next_pointer = Instant::now() + POINTER_GAP;
        let mut next_page = Instant::now() + PAGE_GAP;
        let mut k = 0u64;
        let mut said = 0;
        while said < messages && Instant::now() < stop {
            let sharing = self.page.is_some();
            let wake = if sharing {
                next_chat.min(next_delta).min(next_pointer).min(next_page)
            } else {
                next_chat
            };
            self.pump(wake).await?;
            let now = Instant::now();
            if sharing {
                k += 1;
                if self.keyframe_wanted || now >= next_page {
                    self.keyframe_wanted = false;
                    next_page = now + PAGE_GAP;
                    let frame = self.page.as_mut().expect("sharing").keyframe();
                    self.page_frame(frame).await?;
                }
                if now >= next_delta {
                    next_delta += DELTA_GAP;
                    let frame = self.page.as_mut().expect("sharing").delta(k);
                    self.page_frame(frame).await?;
                }
                if now >= next_pointer {
                    next_pointer += POINTER_GAP;
                    let frame = self.page.as_ref().expect("sharing").pointer(k);
                    self.page_frame(frame).await?;
                }
            }
            if now < next_chat {
                continue;
            }
            next_chat += gap;
            said += 1;
            let from_visitor = self.unit() < 0.6;
            self.chat(from_visitor).await?;
            if sharing && stops_sharing && said == stop_sharing_after {
                self.stop_sharing().await?;
            }
            if self.unit() < self.plan.visitor_reconnect {
                self.reconnect_visitor().await?;
            }
            if self.unit() < self.plan.agent_reconnect {
                self.reconnect_agent().await?;
            }
        }
        self.finish().await
    }

    /// The agent asks, the visitor allows, the agent's mirror subscribes and
    /// the widget sends its first keyframe.
    async fn start_sharing(&mut self) -> Result<()> {
        let session = self.session.clone();
        send(
            &mut self.agent,
            ClientFrame::CobrowseRequest {
                session: session.clone(),
            },
        )
        .await?;
        self.wait("a request to share", |p| p.v.share == ShareState::Requested)
            .await?;
        send(self.visitor()?, ClientFrame::CobrowseStart { session }).await?;
        self.wait("sharing", |p| {
            p.v.share == ShareState::Active && p.a.share == ShareState::Active
        })
        .await?;
        self.subscribe().await?;
        let mut page = Page::new(&self.session);
        let frame = page.keyframe();
        self.page = Some(page);
        self.keyframe_wanted = false;
        self.page_frame(frame).await
    }

    async fn stop_sharing(&mut self) -> Result<()> {
        self.page = None;
        let session = self.session.clone();
        send(self.visitor()?, ClientFrame::CobrowseStop { session }).await?;
        self.wait("sharing to stop", |p| {
            p.v.share == ShareState::Off && p.a.share == ShareState::Off
        })
        .await
    }

    async fn page_frame(&mut self, frame: Vec<u8>) -> Result<()> {
        self.counters.page_frame_sent();
        self.visitor()?
            .send(Message::Binary(Bytes::from(frame)))
            .await
            .map_err(|e| anyhow!("sending a page frame: {e}"))
    }

    async fn chat(&mut self, from_visitor: bool) -> Result<()> {
        self.sent += 1;
        let id = format!("k{}-{}", self.index, self.sent);
        let frame = ClientFrame::ChatSend {
            session: self.session.clone(),
            client_id: Some(id.clone()),
            text: TEXT.into(),
        };
        let (me, other) = if from_visitor {
            send(self.visitor()?, frame).await?;
            (&mut self.v, &mut self.a)
        } else {
            send(&mut self.agent, frame).await?;
            (&mut self.a, &mut self.v)
        };
        me.unechoed.insert(id.clone());
        other.awaited.insert(id);
        self.counters.sent();
        Ok(())
    }

    /// The visitor's page reloads: the socket closes, a new one says `hello`
    /// with the visitor's token and asks for what it missed. Only once its
    /// own messages are stored, as a widget whose send is unacknowledged
    /// sends it again (which a benchmark would count twice).
    async fn reconnect_visitor(&mut self) -> Result<()> {
        self.wait("the visitor's messages to be stored", |p| {
            p.v.unechoed.is_empty()
        })
        .await?;
        if let Some(mut old) = self.visitor.take() {
            let _ = old.close(None).await;
        }
        let (ws, token) = self.tandem.visitor_as(self.visitor_token.clone()).await?;
        self.visitor_token = token;
        self.visitor = Some(ws);
        self.counters.visitor_reconnected();
        let frame = ClientFrame::SessionSync {
            session: self.session.clone(),
            after_seq: self.v.last_seq,
        };
        send(self.visitor()?, frame).await?;
        if let Some(page) = &mut self.page {
            // A reloaded page starts its capture again.
            let frame = page.keyframe();
            self.page_frame(frame).await?;
        }
        Ok(())
    }

    /// The agent's console loses its connection and comes back.
    async fn reconnect_agent(&mut self) -> Result<()> {
        self.wait("the agent's messages to be stored", |p| {
            p.a.unechoed.is_empty()
        })
        .await?;
        let _ = self.agent.close(None).await;
        self.agent = self.tandem.agent(&self.token).await?;
        self.counters.agent_reconnected();
        let frame = ClientFrame::SessionSync {
            session: self.session.clone(),
            after_seq: self.a.last_seq,
        };
        send(&mut self.agent, frame).await?;
        if self.page.is_some() {
            self.subscribe().await?;
        }
        Ok(())
    }

    /// The agent's mirror asks for the current page (the log's replay).
    async fn subscribe(&mut self) -> Result<()> {
        let session = self.session.clone();
        send(
            &mut self.agent,
            ClientFrame::CobrowseSubscribe {
                session,
                fresh: false,
            },
        )
        .await
    }

    /// Waits (bounded) for messages in flight, counts the missing as lost,
    /// and ends the conversation from one side or the other.
    async fn finish(&mut self) -> Result<()> {
        self.page = None;
        let delivered = |p: &Pair| p.v.awaited.is_empty() && p.a.awaited.is_empty();
        let until = Instant::now() + DRAIN;
        while !delivered(self) && self.pump_one(until).await? {}
        self.counters
            .lost((self.v.awaited.len() + self.a.awaited.len()) as u64);
        self.v.awaited.clear();
        self.a.awaited.clear();
        let session = self.session.clone();
        if self.unit() < 0.5 {
            send(self.visitor()?, ClientFrame::SessionEnd { session }).await?;
        } else {
            send(&mut self.agent, ClientFrame::SessionEnd { session }).await?;
        }
        self.wait("the end of the conversation", |p| p.v.ended && p.a.ended)
            .await?;
        self.counters.ended();
        if let Some(mut ws) = self.visitor.take() {
            let _ = ws.close(None).await;
        }
        Ok(())
    }

    fn visitor(&mut self) -> Result<&mut Ws> {
        self.visitor
            .as_mut()
            .ok_or_else(|| anyhow!("no visitor connection"))
    }

    /// Reads both sockets until `pred` holds, for at most `STEP_TIMEOUT`.
    async fn wait(&mut self, what: &str, pred: impl Fn(&Pair) -> bool) -> Result<()> {
        let until = Instant::now() + STEP_TIMEOUT;
        while !pred(self) {
            if !self.pump_one(until).await? {
                bail!("no {what} within {STEP_TIMEOUT:?}");
            }
        }
        Ok(())
    }

    /// Reads both sockets until `until`.
    async fn pump(&mut self, until: Instant) -> Result<()> {
        while self.pump_one(until).await? {}
        Ok(())
    }

    /// Handles one frame from either side; false once `until` passed.
    async fn pump_one(&mut self, until: Instant) -> Result<bool> {
        let got = {
            let (agent, visitor) = (&mut self.agent, &mut self.visitor);
            let visitor = async {
                match visitor.as_mut() {
                    Some(ws) => ws.next().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                m = agent.next() => Got::Agent(m),
                m = visitor => Got::Visitor(m),
                _ = sleep_until(until.into()) => Got::Deadline,
            }
        };
        match got {
            Got::Deadline => return Ok(false),
            Got::Agent(m) => self.on_message(Role::Agent, m)?,
            Got::Visitor(m) => self.on_message(Role::Visitor, m)?,
        }
        Ok(true)
    }

    fn on_message(
        &mut self,
        side: Role,
        msg: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    ) -> Result<()> {
        let who = side.as_str();
        let text = match msg {
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Binary(_))) => {
                if side == Role::Agent {
                    self.counters.page_frame_received();
                }
                return Ok(());
            }
            Some(Ok(Message::Close(frame))) => {
                bail!("the {who}'s connection was closed: {frame:?}")
            }
            Some(Ok(_)) => return Ok(()),
            Some(Err(e)) => bail!("the {who}'s connection failed: {e}"),
            None => bail!("the {who}'s connection ended"),
        };
        let env: ServerEnvelope = serde_json::from_str(text.as_str())
            .map_err(|e| anyhow!("decoding a frame for the {who}: {e}"))?;
        let counters = self.counters.clone();
        let session = self.session.clone();
        let me = if side == Role::Agent {
            &mut self.a
        } else {
            &mut self.v
        };
        match env.frame {
            ServerFrame::Event { session: s, event } if s == session => {
                me.see(&event, side, &counters);
            }
            ServerFrame::History {
                session: s, events, ..
            } if s == session => {
                // Conversations are far shorter than a history page.
                for event in &events {
                    me.see(event, side, &counters);
                }
            }
            ServerFrame::Session { session: s }
                if s.id == session && s.state == SessionState::Ended =>
            {
                me.ended = true;
            }
            ServerFrame::Cobrowse { session: s, state } if s == session => me.share = state,
            ServerFrame::CobrowseKeyframeRequest { session: s } if s == session => {
                self.keyframe_wanted = true;
                counters.keyframe_requested();
            }
            ServerFrame::Error { code, message, .. } => {
                counters.error(format!("{who} got {}: {message}", code.as_str()));
            }
            _ => {}
        }
        Ok(())
    }

    /// A number in [0, 1) (xorshift: reproducible per pair, no dependency).
    fn unit(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl Side {
    fn see(&mut self, event: &protocol::Event, me: Role, counters: &Counters) {
        self.last_seq = self.last_seq.max(event.seq);
        match &event.body {
            EventBody::Message {
                client_id: Some(id),
                ..
            } => {
                if event.author == me {
                    self.unechoed.remove(id);
                } else if self.awaited.remove(id) {
                    counters.received();
                }
            }
            EventBody::Ended { .. } => self.ended = true,
            _ => {}
        }
    }
}
