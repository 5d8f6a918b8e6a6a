//! Everything stored about one person (`tandem visitor export`, and
//! `GET /api/v1/customers/{id}/export`).

use protocol::Event;
use protocol::api::PageVisit;
use protocol::integration::{CustomerExport, ExportedSession, ExportedVisitor};

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
) -> store::Result<CustomerExport> {
    let mut visitors = Vec::with_capacity(person.len());
    for v in person {
        let page_views = store
            .page_views(&v.id, u32::MAX)
            .await?
            .into_iter()
            .map(|(page, at)| PageVisit {
                url: page.url,
                title: page.title,
                at,
            })
            .collect();
        let mut sessions = Vec::new();
        for s in store.visitor_sessions(&v.id, u32::MAX).await? {
            sessions.push(ExportedSession {
                session: s.summary(),
                events: transcript(store, &s.id).await?,
                first_message: s.first_message,
                wrapup: s.wrapup,
            });
        }
        visitors.push(ExportedVisitor {
            id: v.id.clone(),
            site: v.site.clone(),
            identity: v.identity.clone(),
            first_seen_at: v.created_at,
            last_seen_at: v.last_seen_at,
            page_views,
            sessions,
        });
    }
    Ok(CustomerExport {
        exported_at: now,
        visitors,
    })
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
