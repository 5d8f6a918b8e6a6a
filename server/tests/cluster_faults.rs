//! The randomised fault test: visitors and agents on three nodes do random
//! things — ask for help, accept, chat, send bursts, end — while nodes are
//! killed (SIGKILL) and restarted at random moments, the core included.
//! Seeded and reproducible: `TANDEM_FAULT_SEED` (default below) and
//! `TANDEM_FAULT_STEPS`; the seed is printed. After every kill and at the
//! end it checks, from the database and the cluster's own figures:
//! - every session's log is numbered 1..n without a gap (one order);
//! - every acknowledged message is in its log exactly once, and no message
//!   is there twice (unacknowledged ones at most once);
//! - no agent ever holds more sessions than their capacity;
//! - every queue an agent is shown lists requests in the order they came;
//! - at the end every request was answered or ended.

mod binary;
mod cluster_support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use protocol::{ClientFrame, ErrorCode, EventBody, ServerFrame, SessionState};
use tandem_tests::Client;

use cluster_support::*;

const NODES: usize = 3;
const VISITORS: usize = 6;
const AGENTS: usize = 2;
const CAPACITY: u32 = 2;
const DEFAULT_SEED: u64 = 0x7a4d_e5c1;

/// xorshift64*: enough randomness for choosing steps, reproducible by seed.
struct Rng(u64);

impl Rng {
    /// splitmix64 of the seed: distinct seeds give distinct, non-zero states.
    fn seeded(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn percent(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
}

/// A visitor or an agent: their socket (if connected) and credentials.
struct Person {
    client: Option<Client>,
    /// Agents: the bearer token; visitors: their visitor token once known.
    token: Option<String>,
}

struct Talk {
    session: String,
    visitor: usize,
    agent: Option<usize>,
    ended: bool,
    /// Every message sent, and whether its sender saw it acknowledged.
    sent: Vec<(String, bool)>,
}

struct World {
    cluster: Cluster,
    nodes: Vec<Option<binary::Server>>,
    rng: Rng,
    agents: Vec<Person>,
    visitors: Vec<Person>,
    talks: Vec<Talk>,
    counter: u64,
    kills: u32,
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| {
        let v = v.trim();
        match v.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => v.parse().ok(),
        }
    })
}

#[tokio::test]
async fn random_work_across_three_nodes_survives_random_kills() {
    let seed = env_u64("TANDEM_FAULT_SEED").unwrap_or(DEFAULT_SEED);
    let steps = env_u64("TANDEM_FAULT_STEPS").unwrap_or(40);
    eprintln!("fault test: seed {seed:#x}, {steps} steps (TANDEM_FAULT_SEED to replay)");
    let cluster = Cluster::new().await;
    let mut nodes = Vec::new();
    for _ in 0..NODES {
        nodes.push(Some(node(&cluster)));
    }
    let mut agents = Vec::new();
    for i in 0..AGENTS {
        let email = format!("agent{i}@example.com");
        let password = cluster
            .add_agent_with_capacity(&email, &format!("Agent {i}"), CAPACITY)
            .await;
        let token = login(nodes[0].as_ref().expect("up"), &email, &password).await;
        agents.push(Person {
            client: None,
            token: Some(token),
        });
    }
    let visitors = (0..VISITORS)
        .map(|_| Person {
            client: None,
            token: None,
        })
        .collect();
    let mut w = World {
        cluster,
        nodes,
        rng: Rng::seeded(seed),
        agents,
        visitors,
        talks: Vec::new(),
        counter: 0,
        kills: 0,
    };
    for i in 0..AGENTS {
        w.connect_agent(i).await;
        let ana = w.agents[i].client.as_mut().expect("connected");
        ana.go_online().await;
    }
    for step in 0..steps {
        let roll = w.rng.below(100);
        match roll {
            0..=24 => w.ask().await,
            25..=44 => w.accept().await,
            45..=69 => w.chat(false).await,
            70..=77 => w.chat(true).await,
            78..=85 => w.end().await,
            86..=93 => w.kill().await,
            _ => w.restart().await,
        }
        if step % 5 == 4 {
            w.check().await;
        }
    }
    w.finish().await;
    eprintln!(
        "fault test: {} conversations, {} messages, {} kills; every invariant held",
        w.talks.len(),
        w.talks.iter().map(|t| t.sent.len()).sum::<usize>(),
        w.kills
    );
    let World { cluster, nodes, .. } = w;
    drop(nodes);
    cluster.drop_database().await;
}

fn node(cluster: &Cluster) -> binary::Server {
    // No after-call hold, so the last step can answer every request; every
    // simulated visitor comes from 127.0.0.1, so the per-address limits on
    // newcomers and requests are lifted.
    cluster.node_with(&[
        "--wrapup-seconds",
        "0",
        "--new-visitors-per-ip",
        "100000",
        "--requests-per-ip",
        "100000",
    ])
}

/// Frames until one matches `pred`, for at most `within`; `None` when the
/// socket failed or nothing matched. Every queue an agent is shown on the
/// way is checked against the order requests were made in.
async fn wait_for(
    client: &mut Client,
    order: &[String],
    within: Duration,
    pred: impl Fn(&ServerFrame) -> bool,
) -> Option<ServerFrame> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        let env = match tokio::time::timeout(left, client.recv()).await {
            Ok(Ok(env)) => env,
            Ok(Err(e)) => {
                eprintln!("fault test: a socket failed: {e}");
                return None;
            }
            Err(_) => return None,
        };
        if std::env::var_os("TANDEM_FAULT_TRACE").is_some() {
            eprintln!("fault test: < {:?}", env.frame);
        }
        if let ServerFrame::Queue { items, .. } = &env.frame {
            let places: Vec<usize> = items
                .iter()
                .filter_map(|i| order.iter().position(|s| *s == i.session))
                .collect();
            assert!(
                places.windows(2).all(|p| p[0] < p[1]),
                "the queue is out of order: {:?} (asked in order {order:?})",
                items.iter().map(|i| &i.session).collect::<Vec<_>>()
            );
        }
        if pred(&env.frame) {
            return Some(env.frame);
        }
    }
    None
}

const STEP: Duration = Duration::from_secs(8);

impl World {
    fn alive(&self) -> Vec<usize> {
        (0..NODES).filter(|n| self.nodes[*n].is_some()).collect()
    }

    fn any_node(&mut self) -> &binary::Server {
        let alive = self.alive();
        let n = alive[self.rng.below(alive.len())];
        self.nodes[n].as_ref().expect("alive")
    }

    fn order(&self) -> Vec<String> {
        self.talks.iter().map(|t| t.session.clone()).collect()
    }

    fn text(&mut self) -> String {
        self.counter += 1;
        format!("m{}", self.counter)
    }

    async fn connect_agent(&mut self, i: usize) {
        let token = self.agents[i].token.clone().expect("agents have tokens");
        let node = self.any_node();
        let client = agent(node, &token).await;
        self.agents[i].client = Some(client);
    }

    async fn connect_visitor(&mut self, i: usize) {
        let token = self.visitors[i].token.clone();
        let node = self.any_node();
        let (client, token) = visitor(node, token).await;
        self.visitors[i].client = Some(client);
        self.visitors[i].token = Some(token);
    }

    fn open_talk_of(&self, visitor: usize) -> Option<usize> {
        self.talks
            .iter()
            .position(|t| t.visitor == visitor && !t.ended)
    }

    /// A visitor with no open conversation asks for help.
    async fn ask(&mut self) {
        let free: Vec<usize> = (0..VISITORS)
            .filter(|v| self.open_talk_of(*v).is_none())
            .collect();
        if free.is_empty() {
            return;
        }
        let v = free[self.rng.below(free.len())];
        if self.visitors[v].client.is_none() {
            self.connect_visitor(v).await;
        }
        let text = self.text();
        let order = self.order();
        let client = self.visitors[v].client.as_mut().expect("connected");
        client
            .send(ClientFrame::HelpRequest {
                client_id: None,
                topic: None,
                message: text.clone(),
                page: None,
            })
            .await;
        let frame = wait_for(client, &order, STEP, |f| {
            matches!(f, ServerFrame::Session { session } if session.state == SessionState::Queued && !order.contains(&session.id))
                || matches!(f, ServerFrame::Error { .. })
        })
        .await;
        let Some(ServerFrame::Session { session }) = frame else {
            panic!("visitor {v}'s help request was not answered with its session: {frame:?}");
        };
        // The first message is acknowledged like any other: by its event.
        let echo = wait_for(client, &order, STEP, |f| {
            matches!(f, ServerFrame::Event { event, .. } if matches!(&event.body, EventBody::Message { text: x, .. } if *x == text))
        })
        .await;
        self.talks.push(Talk {
            session: session.id,
            visitor: v,
            agent: None,
            ended: false,
            sent: vec![(text, echo.is_some())],
        });
    }

    /// An agent with room takes the oldest waiting request.
    async fn accept(&mut self) {
        let Some(t) = self
            .talks
            .iter()
            .position(|t| t.agent.is_none() && !t.ended)
        else {
            return;
        };
        let a = self.rng.below(AGENTS);
        let holding = self.holding(a);
        let answer = self.ask_to_accept(a, t).await;
        match answer {
            Some(ServerFrame::Session { .. }) => {
                assert!(
                    holding < CAPACITY,
                    "agent {a} was given a session beyond their capacity of {CAPACITY}"
                );
                self.talks[t].agent = Some(a);
            }
            Some(ServerFrame::Error { code, .. }) => {
                assert!(
                    matches!(code, ErrorCode::AtCapacity | ErrorCode::AlreadyTaken),
                    "accept refused with {code:?}"
                );
            }
            _ => panic!("agent {a}'s accept got no answer"),
        }
    }

    /// One message (or a burst of three, not waiting in between) in an
    /// active conversation, from either side.
    async fn chat(&mut self, burst: bool) {
        let active: Vec<usize> = (0..self.talks.len())
            .filter(|t| self.talks[*t].agent.is_some() && !self.talks[*t].ended)
            .collect();
        if active.is_empty() {
            return;
        }
        let t = active[self.rng.below(active.len())];
        let from_visitor = self.rng.percent(50);
        let v = self.talks[t].visitor;
        if from_visitor && self.visitors[v].client.is_none() {
            self.connect_visitor(v).await;
        }
        let session = self.talks[t].session.clone();
        let texts: Vec<String> = (0..if burst { 3 } else { 1 })
            .map(|_| self.text())
            .collect();
        let order = self.order();
        let agent = self.talks[t].agent.expect("active");
        let client = if from_visitor {
            self.visitors[v].client.as_mut().expect("connected")
        } else {
            self.agents[agent].client.as_mut().expect("connected")
        };
        for text in &texts {
            client
                .send(ClientFrame::ChatSend {
                    session: session.clone(),
                    client_id: Some(format!("c-{text}")),
                    text: text.clone(),
                })
                .await;
        }
        // A burst is cut short by a kill half of the time: what was
        // acknowledged by then must survive it.
        let within = if burst {
            Duration::from_millis(150)
        } else {
            STEP
        };
        let mut acked = Vec::new();
        for text in &texts {
            let echo = wait_for(client, &order, within, |f| {
                matches!(f, ServerFrame::Event { event, .. } if matches!(&event.body, EventBody::Message { text: x, .. } if x == text))
            })
            .await;
            acked.push(echo.is_some());
        }
        if !burst {
            assert!(acked[0], "a message in {session} was not acknowledged");
        }
        for (text, ok) in texts.into_iter().zip(acked) {
            self.talks[t].sent.push((text, ok));
        }
        if burst && self.rng.percent(50) {
            self.kill().await;
        }
    }

    async fn end(&mut self) {
        let open: Vec<usize> = (0..self.talks.len())
            .filter(|t| self.talks[*t].agent.is_some() && !self.talks[*t].ended)
            .collect();
        if open.is_empty() {
            return;
        }
        let t = open[self.rng.below(open.len())];
        let agent = self.talks[t].agent.expect("answered");
        let session = self.talks[t].session.clone();
        let order = self.order();
        let client = self.agents[agent].client.as_mut().expect("connected");
        client
            .send(ClientFrame::SessionEnd {
                session: session.clone(),
            })
            .await;
        let ended = wait_for(client, &order, STEP, |f| {
            matches!(f, ServerFrame::Session { session: s } if s.id == session && s.state == SessionState::Ended)
        })
        .await;
        assert!(ended.is_some(), "ending {session} was not confirmed");
        self.talks[t].ended = true;
    }

    /// SIGKILL to a random node (one always stays up); then every client
    /// reconnects, as the widget and the console do, and the logs are checked.
    async fn kill(&mut self) {
        let alive = self.alive();
        if alive.len() < 2 {
            return;
        }
        let n = alive[self.rng.below(alive.len())];
        drop(self.nodes[n].take());
        self.kills += 1;
        let started = Instant::now();
        for person in self.agents.iter_mut().chain(self.visitors.iter_mut()) {
            person.client = None;
        }
        for a in 0..AGENTS {
            self.connect_agent(a).await;
        }
        for v in 0..VISITORS {
            if self.visitors[v].token.is_some() {
                self.connect_visitor(v).await;
            }
        }
        eprintln!(
            "fault test: node {n} killed; every client back in {:?}",
            started.elapsed()
        );
        self.check().await;
    }

    async fn restart(&mut self) {
        if let Some(n) = (0..NODES).find(|n| self.nodes[*n].is_none()) {
            self.nodes[n] = Some(node(&self.cluster));
        }
    }

    /// The invariants, read from the database and the cluster's figures.
    async fn check(&mut self) {
        let store = tandem_server::store::open(&self.cluster.database_url)
            .await
            .expect("store opens");
        for talk in &self.talks {
            let events = store
                .events_after(&talk.session, 0, 10_000)
                .await
                .expect("events read");
            for (i, e) in events.iter().enumerate() {
                assert_eq!(
                    e.seq,
                    i as u64 + 1,
                    "{}: gap or reordering in the log",
                    talk.session
                );
            }
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for e in &events {
                if let EventBody::Message { text, .. } = &e.body {
                    *counts.entry(text.as_str()).or_default() += 1;
                }
            }
            for (text, acked) in &talk.sent {
                let n = counts.get(text.as_str()).copied().unwrap_or(0);
                assert!(n <= 1, "{}: {text} is in the log {n} times", talk.session);
                if *acked {
                    let log: Vec<String> = events
                        .iter()
                        .map(|e| format!("{} {:?}", e.seq, e.body))
                        .collect();
                    assert_eq!(
                        n, 1,
                        "{}: acknowledged {text} is missing; sent {:?}; log {log:#?}",
                        talk.session, talk.sent
                    );
                }
            }
        }
        let token = self.agents[0].token.clone().expect("a token");
        let node = self.any_node();
        let figures = supervisor(node, &token).await;
        if let Some(list) = figures["live"]["agents"].as_array() {
            for a in list {
                let open = a["open"].as_u64().unwrap_or(0);
                let capacity = a["capacity"].as_u64().unwrap_or(u64::MAX);
                assert!(open <= capacity, "an agent is over capacity: {a}");
            }
        }
    }

    /// Every request still waiting is taken, every conversation ended; then
    /// the last check.
    async fn finish(&mut self) {
        for t in 0..self.talks.len() {
            if self.talks[t].ended {
                continue;
            }
            if self.talks[t].agent.is_none() {
                // End someone else's conversation until an agent has room.
                for _ in 0..(AGENTS as u32 * CAPACITY) {
                    self.accept_exactly(t).await;
                    if self.talks[t].agent.is_some() {
                        break;
                    }
                    self.end().await;
                }
                assert!(
                    self.talks[t].agent.is_some(),
                    "{} was never answered",
                    self.talks[t].session
                );
            }
        }
        while self.talks.iter().any(|t| !t.ended) {
            self.end().await;
        }
        self.check().await;
    }

    /// The agent with room (if any) accepts conversation `t`.
    async fn accept_exactly(&mut self, t: usize) {
        for a in 0..AGENTS {
            if self.holding(a) >= CAPACITY {
                continue;
            }
            if matches!(
                self.ask_to_accept(a, t).await,
                Some(ServerFrame::Session { .. })
            ) {
                self.talks[t].agent = Some(a);
                return;
            }
        }
    }

    /// Conversations agent `a` holds, as far as this test knows.
    fn holding(&self, a: usize) -> u32 {
        self.talks
            .iter()
            .filter(|x| x.agent == Some(a) && !x.ended)
            .count() as u32
    }

    /// Agent `a` accepts conversation `t`: the `session` frame saying it is
    /// theirs, or the error refusing it (`None`: no answer).
    async fn ask_to_accept(&mut self, a: usize, t: usize) -> Option<ServerFrame> {
        let session = self.talks[t].session.clone();
        let order = self.order();
        let client = self.agents[a]
            .client
            .as_mut()
            .expect("agents stay connected");
        client
            .send(ClientFrame::QueueAccept {
                session: session.clone(),
            })
            .await;
        wait_for(client, &order, STEP, |f| {
            matches!(f, ServerFrame::Session { session: s } if s.id == session && s.state == SessionState::Active)
                || matches!(f, ServerFrame::Error { .. })
        })
        .await
    }
}
