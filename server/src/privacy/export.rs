//! `tandem visitor export`: everything stored about one person, as JSON.

use protocol::Event;
use serde_json::{Value, json};

use crate::store::{self, Store, Visitor};

/// Events read per query while gathering a transcript.
const PAGE: u32 = 500;

/// The person's visitor rows with, for each, its identity, page views and
/// sessions; each session with its summary (visitor name, topic, page,
/// agent, times, call-back), first message, wrap-up and whole transcript.
pub async fn export(
    store: &dyn Store,
    person: &[Visitor],
    now: protocol::Millis,
) -> store::Result<Value> {
    let mut visitors = Vec::with_capacity(person.len());
    for v in person {
        let pages: Vec<Value> = store
            .page_views(&v.id, u32::MAX)
            .await?
            .into_iter()
            .map(|(page, at)| json!({"url": page.url, "title": page.title, "at": at}))
            .collect();
        let mut sessions = Vec::new();
        for s in store.visitor_sessions(&v.id, u32::MAX).await? {
            sessions.push(json!({
                "session": s.summary(),
                "first_message": s.first_message,
                "wrapup": s.wrapup,
                "events": transcript(store, &s.id).await?,
            }));
        }
        visitors.push(json!({
            "id": v.id,
            "site": v.site,
            "identity": v.identity,
            "first_seen_at": v.created_at,
            "last_seen_at": v.last_seen_at,
            "page_views": pages,
            "sessions": sessions,
        }));
    }
    Ok(json!({"exported_at": now, "visitors": visitors}))
}

/// Every event of a session, oldest first.
async fn transcript(store: &dyn Store, session: &str) -> store::Result<Vec<Event>> {
    let mut events: Vec<Event> = Vec::new();
    loop {
        let after = events.last().map_or(0, |e| e.seq);
        let page = store.events_after(session, after, PAGE).await?;
        let done = page.len() < PAGE as usize;
        events.extend(page);
        if done {
            return Ok(events);
        }
    }
}
