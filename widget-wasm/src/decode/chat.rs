//! Reading the chat family's values: the log's events (every kind the widget
//! knows) and the delivered/read receipts.

use protocol::{Event, EventBody, FormOutcome, Receipts, Role};

use super::call::{call_action, end_reason};
use super::callback::callback;
use super::cobrowse::share_action;
use super::form::field_error;
use super::session::agent_info;
use super::source::{Source, flag, int, list, names, text, uint};

pub(super) fn receipts<S: Source>(v: &S) -> Receipts {
    let n = |k| uint(v, k).unwrap_or(0);
    Receipts {
        visitor_delivered: n("visitor_delivered"),
        visitor_read: n("visitor_read"),
        agent_delivered: n("agent_delivered"),
        agent_read: n("agent_read"),
    }
}

/// One log entry; `None` for kinds this widget does not know.
pub(super) fn event<S: Source>(v: &S) -> Option<Event> {
    let role = |k| text(v, k).and_then(|r| Role::parse(&r));
    let body = match text(v, "kind")?.as_str() {
        "message" => EventBody::Message {
            text: text(v, "text")?,
            client_id: text(v, "client_id"),
        },
        "requested" => EventBody::Requested {
            topic: text(v, "topic"),
        },
        "agent_joined" => EventBody::AgentJoined {
            agent_id: text(v, "agent_id").unwrap_or_default(),
            name: text(v, "name").unwrap_or_default(),
        },
        "ended" => EventBody::Ended {
            by: role("by").unwrap_or(Role::System),
        },
        "share" => EventBody::Share {
            action: share_action(&text(v, "action")?)?,
            by: role("by").unwrap_or(Role::System),
        },
        "highlight" => EventBody::Highlight {
            node: uint(v, "node")? as u32,
            label: text(v, "label"),
        },
        "transferred" => EventBody::Transferred {
            from: agent_info(v, "from")?,
            to: agent_info(v, "to"),
            skill: text(v, "skill"),
        },
        "redacted" => EventBody::Redacted,
        "call" => EventBody::Call {
            call: text(v, "call")?,
            action: call_action(&text(v, "action")?)?,
            by: role("by").unwrap_or(Role::System),
            duration_ms: uint(v, "duration_ms"),
            reason: text(v, "reason").and_then(|r| end_reason(&r)),
        },
        "form_push" => EventBody::FormPush {
            push: uint(v, "push")? as u32,
            url: text(v, "url").unwrap_or_default(),
            fields: names(v, "fields"),
        },
        "form_answer" => EventBody::FormAnswer {
            push: uint(v, "push")? as u32,
            outcome: FormOutcome::parse(&text(v, "outcome")?)?,
            applied: names(v, "applied"),
            rejected: names(v, "rejected"),
            errors: list(v, "errors", field_error),
        },
        "page_push" => EventBody::PagePush {
            push: uint(v, "push")? as u32,
            url: text(v, "url").unwrap_or_default(),
            label: text(v, "label"),
        },
        "page_answer" => EventBody::PageAnswer {
            push: uint(v, "push")? as u32,
            accepted: flag(v, "accepted")?,
        },
        "callback" => EventBody::Callback {
            callback: callback(&v.get("callback")?)?,
        },
        _ => return None,
    };
    Some(Event {
        seq: uint(v, "seq")?,
        at: int(v, "at").unwrap_or(0),
        author: role("author")?,
        author_name: text(v, "author_name"),
        body,
    })
}
