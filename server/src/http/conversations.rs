//! Conversations for integrations (`/api/v1/conversations`): a filtered,
//! paginated list, and one conversation with its transcript (agents'
//! notes included), wrap-up and page trail. Also the call-backs list,
//! which is the same listing narrowed to sessions with a call-back.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use protocol::api::PageVisit;
use protocol::integration::{
    CallbackEntry, CallbackList, Conversation, ConversationDetail, ConversationPage, TokenScope,
};
use protocol::{Millis, SessionState};
use serde::Deserialize;

use super::caller::Caller;
use super::error::ApiError;
use super::extract::Params;
use super::reply::Reply;
use super::sessions::all_events;
use super::state::AppState;
use crate::clock::now_ms;
use crate::store::{ConversationFilter, SessionRecord};

/// Page size when the request names none, and the most it may name.
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 200;
/// The page trail starts this long before the request.
const TRAIL_BEFORE_MS: Millis = 30 * 60_000;
/// Most page views in a trail.
const MAX_TRAIL: u32 = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations", get(list))
        .route("/api/v1/conversations/{id}", get(one))
        .route("/api/v1/callbacks", get(callbacks))
}

/// Filters of `GET /api/v1/conversations`; every one is optional.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Requested at or after (ms since the epoch).
    from: Option<Millis>,
    /// Requested before (ms since the epoch).
    to: Option<Millis>,
    /// Only this site's.
    site: Option<String>,
    /// Only those this agent (id) serves or served.
    agent: Option<String>,
    /// Only those in this state.
    state: Option<SessionState>,
    /// Only those wrapped up with this disposition.
    disposition: Option<String>,
    /// `next_cursor` of the previous page.
    #[param(pattern = r"^(-?[0-9]{1,18}\.[A-Za-z0-9_-]{1,64})?$")]
    cursor: Option<String>,
    /// Conversations per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// Filters of `GET /api/v1/callbacks`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CallbackQuery {
    /// `queued`: still to do; `ended`: dealt with; absent: both.
    state: Option<SessionState>,
    /// Only this site's.
    site: Option<String>,
    /// `next_cursor` of the previous page.
    #[param(pattern = r"^(-?[0-9]{1,18}\.[A-Za-z0-9_-]{1,64})?$")]
    cursor: Option<String>,
    /// Call-backs per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// A filter left empty (`?site=`) is no filter, as in a form left blank.
fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

fn page_size(limit: Option<u32>) -> Result<u32, ApiError> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => Ok(n),
        _ => Err(ApiError::invalid(format!("limit must be 1 to {MAX_LIMIT}"))),
    }
}

/// The cursor after `s`: a keyset position, `<requested_at>.<id>` (the
/// query parameters' pattern). Clients pass it back as they got it; one
/// made by hand only moves where the listing resumes, never past its filters.
fn cursor_after(s: &SessionRecord) -> String {
    format!("{}.{}", s.requested_at, s.id)
}

fn read_cursor(cursor: Option<&str>) -> Result<Option<(Millis, String)>, ApiError> {
    let Some(cursor) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let bad = || ApiError::invalid("cursor is not one this API gave");
    let (at, id) = cursor.split_once('.').ok_or_else(bad)?;
    let id_ok = (1..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let at_ok = (1..=19).contains(&at.len());
    if !id_ok || !at_ok {
        return Err(bad());
    }
    Ok(Some((at.parse().map_err(|_| bad())?, id.to_string())))
}

/// One page of `filter`, and the cursor of the next if there may be one.
async fn page(
    app: &AppState,
    mut filter: ConversationFilter,
) -> Result<(Vec<SessionRecord>, Option<String>), ApiError> {
    let limit = filter.limit;
    // One more than asked tells whether another page follows.
    filter.limit = limit + 1;
    let mut found = app.store.conversations(&filter).await?;
    let next = if found.len() > limit as usize {
        found.truncate(limit as usize);
        found.last().map(cursor_after)
    } else {
        None
    };
    Ok((found, next))
}

/// List conversations, newest request first, one page at a time (scope `read`).
#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations",
    params(ListQuery),
    responses((status = 200, description = "One page", body = ConversationPage)))]
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    Params(q): Params<ListQuery>,
) -> Result<Reply<ConversationPage>, ApiError> {
    caller.require(TokenScope::Read)?;
    let filter = ConversationFilter {
        from: q.from,
        to: q.to,
        site: given(q.site),
        agent: given(q.agent),
        state: q.state,
        disposition: given(q.disposition),
        callbacks_only: false,
        after: read_cursor(q.cursor.as_deref())?,
        limit: page_size(q.limit)?,
    };
    let (found, next_cursor) = page(&app, filter).await?;
    Ok(Reply(ConversationPage {
        conversations: found
            .iter()
            .map(|s| Conversation {
                session: s.summary(),
                wrapup: s.wrapup.clone(),
            })
            .collect(),
        next_cursor,
    }))
}

/// One conversation with its whole log, wrap-up and page trail (scope `read`).
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "conversations",
    params(("id" = String, Path, description = "The session's id (`s_…`)")),
    responses((status = 200, description = "The conversation", body = ConversationDetail)))]
pub async fn one(
    State(app): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<Reply<ConversationDetail>, ApiError> {
    caller.require(TokenScope::Read)?;
    let store = app.store.as_ref();
    let session = store
        .session(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("unknown_session", "no such session"))?;
    let events = all_events(store, &id, usize::MAX).await?;
    let from = session.requested_at - TRAIL_BEFORE_MS;
    let until = session.ended_at.unwrap_or_else(now_ms);
    let mut pages: Vec<PageVisit> = store
        .page_views(&session.visitor_id, MAX_TRAIL)
        .await?
        .into_iter()
        .filter(|(_, at)| (from..=until).contains(at))
        .map(|(page, at)| PageVisit {
            url: page.url,
            title: page.title,
            at,
        })
        .collect();
    pages.reverse();
    Ok(Reply(ConversationDetail {
        session: session.summary(),
        wrapup: session.wrapup,
        events,
        pages,
    }))
}

/// List call-backs and messages left while nobody could answer, newest
/// first (scope `read`).
#[utoipa::path(get, path = "/api/v1/callbacks", tag = "callbacks",
    params(CallbackQuery),
    responses((status = 200, description = "One page", body = CallbackList)))]
pub async fn callbacks(
    State(app): State<AppState>,
    caller: Caller,
    Params(q): Params<CallbackQuery>,
) -> Result<Reply<CallbackList>, ApiError> {
    caller.require(TokenScope::Read)?;
    let filter = ConversationFilter {
        site: given(q.site),
        state: q.state,
        callbacks_only: true,
        after: read_cursor(q.cursor.as_deref())?,
        limit: page_size(q.limit)?,
        ..ConversationFilter::default()
    };
    let (found, next_cursor) = page(&app, filter).await?;
    let callbacks = found
        .into_iter()
        .filter_map(|s| {
            let callback = s.callback.clone()?;
            Some(CallbackEntry {
                due_at: callback.due_at(s.requested_at),
                session: s.summary(),
                callback,
            })
        })
        .collect();
    Ok(Reply(CallbackList {
        callbacks,
        next_cursor,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_a_malformed_one_is_refused() {
        assert_eq!(
            read_cursor(Some("1700000000000.s_abc")).unwrap(),
            Some((1_700_000_000_000, "s_abc".to_string()))
        );
        for bad in [
            "%%%",
            "no-dot",
            "x.s_1",
            "1.",
            "1.s 1",
            "99999999999999999999.s",
        ] {
            assert_eq!(
                read_cursor(Some(bad)).unwrap_err().code,
                "invalid_request",
                "{bad}"
            );
        }
        assert_eq!(
            read_cursor(Some("-5.s_1")).unwrap(),
            Some((-5, "s_1".into()))
        );
        assert_eq!(read_cursor(None).unwrap(), None);
        assert_eq!(read_cursor(Some("")).unwrap(), None);
    }
}
