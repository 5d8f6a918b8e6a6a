//! What persisting a chat message costs on its own: Tandem's `Store` (the
//! server's library, SQLite, the server's settings) appending message events,
//! with no network in between. First one writer at a time, then many
//! sessions writing at once, as a busy server does.

use std::time::Instant;

use anyhow::{Context, Result};
use protocol::{Event, EventBody, Role, SessionState};
use serde::{Deserialize, Serialize};
use tandem_server::clock::now_ms;
use tandem_server::ids::new_id;
use tandem_server::store::{self, SessionRecord, Store};

use crate::net::bounded;
use crate::stats::{Latencies, Summary};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PersistRun {
    pub events: usize,
    /// One append at a time: duration of each `append_event`.
    pub sequential: Summary,
    pub sequential_rate: f64,
    /// `writers` sessions appending at once: duration of each append, and the total rate.
    pub writers: usize,
    pub concurrent: Summary,
    pub concurrent_rate: f64,
}

pub async fn persist(
    database_url: &str,
    events: usize,
    writers: usize,
    text: &str,
) -> Result<PersistRun> {
    let store = store::open(database_url)
        .await
        .with_context(|| format!("opening {database_url}"))?;
    let store = store.as_ref();
    let visitor = new_id("v_");
    store.touch_visitor(&visitor, "bench", now_ms()).await?;
    let mut sessions = Vec::with_capacity(writers + 1);
    for _ in 0..=writers {
        sessions.push(open_session(store, &visitor).await?);
    }

    let (sequential, sequential_rate) = {
        let started = Instant::now();
        let mut times = Latencies::default();
        for seq in 1..=events as u64 {
            times.record(append(store, &sessions[0], seq, text).await?);
        }
        (
            times.summary(),
            events as f64 / started.elapsed().as_secs_f64(),
        )
    };

    let per_writer = events / writers.max(1);
    let started = Instant::now();
    let each = bounded(&sessions[1..], writers, |session| async move {
        let mut times = Latencies::default();
        for seq in 1..=per_writer as u64 {
            times.record(append(store, session, seq, text).await?);
        }
        Ok(times)
    })
    .await?;
    let concurrent_rate = (per_writer * writers) as f64 / started.elapsed().as_secs_f64();
    let mut concurrent = Latencies::default();
    for times in each {
        concurrent.merge(times);
    }
    Ok(PersistRun {
        events,
        sequential,
        sequential_rate,
        writers,
        concurrent: concurrent.summary(),
        concurrent_rate,
    })
}

async fn open_session(store: &dyn Store, visitor: &str) -> Result<String> {
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
    };
    store.create_session(&record).await?;
    Ok(record.id)
}

/// Appends one message event like the hub does for `chat.send`; returns how long it took (ns).
async fn append(store: &dyn Store, session: &str, seq: u64, text: &str) -> Result<u64> {
    let event = Event {
        seq,
        at: now_ms(),
        author: Role::Visitor,
        author_name: None,
        body: EventBody::Message {
            text: text.to_string(),
            client_id: Some(format!("b{seq}")),
        },
    };
    let started = Instant::now();
    store.append_event(session, &event).await?;
    Ok(started.elapsed().as_nanos() as u64)
}
