//! What persisting chat messages costs on its own: Tandem's `Store` (the
//! server's library, SQLite, the server's settings) appending message events,
//! with no network in between. Three ways:
//! 1. one message per transaction, one at a time: the cost of a commit;
//! 2. many sessions at once through the server's group-commit writer
//!    (`store::batch::EventWriter`), as the hub does under load;
//! 3. fixed batches per transaction, one at a time: what batching can reach.

use std::time::Instant;

use anyhow::{Context, Result};
use protocol::{Event, EventBody, Role, SessionState};
use serde::{Deserialize, Serialize};
use tandem_server::clock::now_ms;
use tandem_server::ids::new_id;
use tandem_server::store::batch::EventWriter;
use tandem_server::store::{self, SessionRecord, Store};

use crate::net::bounded;
use crate::stats::{Latencies, Summary};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PersistRun {
    pub events: usize,
    pub ways: Vec<PersistWay>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PersistWay {
    pub how: String,
    /// Callers appending at the same time.
    pub writers: usize,
    /// Events each call hands over (the writer may commit several calls together).
    pub per_call: usize,
    /// Time each call took until its events were committed.
    pub call: Summary,
    pub events_per_sec: f64,
}

/// Sessions appending at once through the group-commit writer. The fixed
/// batches hold one message of each of them.
const WRITERS: usize = 64;
const BATCH: usize = WRITERS;

pub async fn persist(database_url: &str, events: usize, text: &str) -> Result<PersistRun> {
    let store = store::open(database_url)
        .await
        .with_context(|| format!("opening {database_url}"))?;
    let visitor = new_id("v_");
    store.touch_visitor(&visitor, "bench", now_ms()).await?;
    let mut sessions = Vec::with_capacity(WRITERS);
    for _ in 0..WRITERS {
        sessions.push(Session::open(store.as_ref(), &visitor).await?);
    }
    let message = |seq: u64| Event {
        seq,
        at: now_ms(),
        author: Role::Visitor,
        author_name: None,
        body: EventBody::Message {
            text: text.to_string(),
            client_id: Some(format!("b{seq}")),
        },
    };
    let mut ways = Vec::new();

    // 1. One commit per message.
    let started = Instant::now();
    let mut times = Latencies::default();
    let one = &mut sessions[0];
    for _ in 0..events {
        let event = message(one.next_seq());
        let t = Instant::now();
        store.append_events(&[(one.id.clone(), event)]).await?;
        times.record(t.elapsed().as_nanos() as u64);
    }
    ways.push(way(
        "one message per transaction",
        1,
        1,
        times,
        events,
        started,
    ));

    // 2. Many sessions at once through the server's group commit.
    let writer = EventWriter::spawn(store.clone());
    let per_writer = events / WRITERS;
    let started = Instant::now();
    let each = bounded(sessions.iter_mut(), WRITERS, |session| {
        let writer = writer.clone();
        async move {
            let mut times = Latencies::default();
            for _ in 0..per_writer {
                let event = message(session.next_seq());
                let t = Instant::now();
                writer
                    .append(&session.id, event)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                times.record(t.elapsed().as_nanos() as u64);
            }
            Ok(times)
        }
    })
    .await?;
    let mut times = Latencies::default();
    each.into_iter().for_each(|t| times.merge(t));
    ways.push(way(
        "sessions at once, through the server's group commit",
        WRITERS,
        1,
        times,
        per_writer * WRITERS,
        started,
    ));

    // 3. Fixed batches, one transaction each.
    let started = Instant::now();
    let mut times = Latencies::default();
    for _ in 0..events / BATCH {
        let batch: Vec<(String, Event)> = sessions
            .iter_mut()
            .map(|s| (s.id.clone(), message(s.next_seq())))
            .collect();
        let t = Instant::now();
        store.append_events(&batch).await?;
        times.record(t.elapsed().as_nanos() as u64);
    }
    let done = events / BATCH * BATCH;
    ways.push(way(
        "fixed batches, one transaction each",
        1,
        BATCH,
        times,
        done,
        started,
    ));
    Ok(PersistRun { events, ways })
}

fn way(
    how: &str,
    writers: usize,
    per_call: usize,
    times: Latencies,
    events: usize,
    started: Instant,
) -> PersistWay {
    PersistWay {
        how: how.into(),
        writers,
        per_call,
        call: times.summary(),
        events_per_sec: events as f64 / started.elapsed().as_secs_f64(),
    }
}

/// A session to append to, and the seq its next event takes.
struct Session {
    id: String,
    last_seq: u64,
}

impl Session {
    async fn open(store: &dyn Store, visitor: &str) -> Result<Session> {
        let record = SessionRecord {
            id: new_id("s_"),
            site: "bench".into(),
            visitor_id: visitor.to_string(),
            visitor_name: None,
            state: SessionState::Active,
            topic: None,
            first_message: "Hello, I need help with my order".into(),
            page: None,
            agent: None,
            requested_at: now_ms(),
            accepted_at: None,
            ended_at: None,
            ended_by: None,
            last_seq: 0,
            receipts: Default::default(),
            callback: None,
            wrapup: None,
        };
        store.create_session(&record).await?;
        Ok(Session {
            id: record.id,
            last_seq: 0,
        })
    }

    fn next_seq(&mut self) -> u64 {
        self.last_seq += 1;
        self.last_seq
    }
}
