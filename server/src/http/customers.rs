//! The customer panel behind a session ("screen pop"): who the visitor is
//! and whether the site vouched for it, the pages of this visit, and their
//! earlier conversations with transcripts, agents' notes and wrap-ups, so
//! nobody has to repeat themselves. A customer the site verified on several
//! devices brings the conversations of all of them.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use protocol::EventBody;
use protocol::api::{Customer, CustomerReply, PageVisit};

use super::error::ApiError;
use super::reply::Reply;
use super::sessions::{all_events, readable_session, transcript_of};
use super::signed_in::SignedIn;
use super::state::AppState;
use crate::store::Visitor;

/// Pages listed for the current visit, newest first.
const PAGES: u32 = 50;
/// Earlier conversations shown, newest first.
const PREVIOUS: u32 = 10;
/// Entries of each earlier conversation's transcript.
const PREVIOUS_EVENTS: usize = 200;
/// A gap this long between two page views starts a new visit.
const VISIT_GAP_MS: i64 = 30 * 60_000;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/sessions/{id}/customer", get(customer))
}

/// The visitor behind the session, as the panel shows them.
pub fn customer_of(v: Visitor) -> Customer {
    Customer {
        id: v.id,
        identity: v.identity,
        first_seen_at: v.created_at,
        last_seen_at: v.last_seen_at,
    }
}

/// The customer panel behind a session: identity, this visit's pages, and
/// earlier conversations (the session's agent, or a supervisor).
#[utoipa::path(get, path = "/api/v1/sessions/{id}/customer", tag = "console",
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, description = "The panel", body = CustomerReply)))]
pub async fn customer(
    State(app): State<AppState>,
    Path(id): Path<String>,
    SignedIn(agent): SignedIn,
) -> Result<Reply<CustomerReply>, ApiError> {
    let session = readable_session(&app, &agent, &id).await?;
    let store = app.store.as_ref();
    let visitor = store.visitor(&session.visitor_id).await?;
    let views = store.page_views(&session.visitor_id, PAGES).await?;
    let pages = this_visit(&views)
        .iter()
        .map(|(page, at)| PageVisit {
            url: page.url.clone(),
            title: page.title.clone(),
            at: *at,
        })
        .collect();
    let mut previous = Vec::new();
    for s in store
        .customer_sessions(&session.visitor_id, PREVIOUS + 1)
        .await?
        .into_iter()
        .filter(|s| s.id != session.id)
        .take(PREVIOUS as usize)
    {
        // Messages, notes and wrap-ups are what the next agent needs;
        // lifecycle entries would only crowd the panel.
        let events: Vec<_> = all_events(store, &s.id, PREVIOUS_EVENTS)
            .await?
            .into_iter()
            .filter(|e| {
                matches!(
                    e.body,
                    EventBody::Message { .. } | EventBody::Note { .. } | EventBody::Wrapup { .. }
                )
            })
            .collect();
        previous.push(transcript_of(&s, events));
    }
    // Filled here from the site's template, like the queue's (hub/).
    let screen_pop = match (&visitor, store.site(&session.site).await?) {
        (Some(v), Some(site)) => site
            .screen_pop
            .as_deref()
            .and_then(|t| crate::screen_pop::fill(t, &v.identity, &v.id, &session.id)),
        _ => None,
    };
    Ok(Reply(CustomerReply {
        screen_pop,
        visitor: visitor.map(customer_of),
        pages,
        previous,
    }))
}

/// The newest run of page views without a long pause: this visit.
fn this_visit<T>(newest_first: &[(T, i64)]) -> &[(T, i64)] {
    let end = newest_first
        .windows(2)
        .position(|w| w[0].1 - w[1].1 > VISIT_GAP_MS)
        .map_or(newest_first.len(), |i| i + 1);
    &newest_first[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_pause_ends_the_visit() {
        let min = 60_000;
        let views = [("c", 100 * min), ("b", 95 * min), ("a", 10 * min)];
        assert_eq!(this_visit(&views).len(), 2);
        assert_eq!(this_visit(&views[..1]).len(), 1);
        assert!(this_visit::<&str>(&[]).is_empty());
    }
}
