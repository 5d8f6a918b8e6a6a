//! Reading the session family's values: a session's summary and who the
//! agent is.

use protocol::{AgentInfo, PageInfo, SessionState, SessionSummary};

use super::call::call_info;
use super::callback::callback;
use super::cobrowse::share_state;
use super::source::{Source, int, text, uint};

pub(super) fn summary<S: Source>(v: &S) -> Option<SessionSummary> {
    Some(SessionSummary {
        id: text(v, "id")?,
        site: text(v, "site").unwrap_or_default(),
        state: SessionState::parse(&text(v, "state")?)?,
        visitor_id: text(v, "visitor_id").unwrap_or_default(),
        visitor_name: text(v, "visitor_name"),
        topic: text(v, "topic"),
        agent: agent_info(v, "agent"),
        page: v.get("page").and_then(|p| {
            Some(PageInfo {
                url: text(&p, "url")?,
                title: text(&p, "title").unwrap_or_default(),
            })
        }),
        requested_at: int(v, "requested_at").unwrap_or(0),
        accepted_at: int(v, "accepted_at"),
        ended_at: int(v, "ended_at"),
        last_seq: uint(v, "last_seq").unwrap_or(0),
        share: text(v, "share")
            .and_then(|s| share_state(&s))
            .unwrap_or_default(),
        call: v.get("call").and_then(|c| call_info(&c)),
        callback: v.get("callback").and_then(|c| callback(&c)),
        // Agents see it; the visitor is not shown their own presence.
        visitor_presence: None,
    })
}

pub(super) fn agent_info<S: Source>(v: &S, key: &str) -> Option<AgentInfo> {
    let a = v.get(key)?;
    Some(AgentInfo {
        id: text(&a, "id")?,
        name: text(&a, "name")?,
    })
}
