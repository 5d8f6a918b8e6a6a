//! The server frames the widget acts on ([`Incoming`]), and which reader
//! each frame `type` goes to. Frames of other types (the console's, or new
//! ones from a newer server) read as `None` and are skipped.

use protocol::{
    CallInfo, Event, FieldPush, IceServer, Receipts, Role, SessionSummary, ShareState, Signal,
};

use super::call::{call_info, ice_server, signal};
use super::callback::unavailable;
use super::chat::{event, receipts};
use super::cobrowse::share_state;
use super::form::field_push;
use super::session::summary;
use super::source::{Source, flag, int, list, number, text, uint};
use crate::state::Place;

/// The frames the widget acts on, with what it needs of them.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Welcome {
        visitor_id: Option<String>,
        token: Option<String>,
        sessions: Vec<SessionSummary>,
    },
    QueuePosition {
        session: String,
        place: Place,
    },
    /// Boxed: a summary is many times larger than the other frames.
    Session(Box<SessionSummary>),
    Event {
        session: String,
        event: Event,
    },
    History {
        session: String,
        events: Vec<Event>,
        receipts: Receipts,
        more: bool,
    },
    Typing {
        session: String,
        author: Role,
        active: bool,
    },
    Receipts {
        session: String,
        receipts: Receipts,
    },
    Cobrowse {
        session: String,
        state: ShareState,
    },
    KeyframeRequest {
        session: String,
    },
    Pointer {
        session: String,
        node: Option<u32>,
        x: f32,
        y: f32,
    },
    Highlight {
        session: String,
        node: u32,
        label: Option<String>,
    },
    HighlightClear {
        session: String,
    },
    Call {
        session: String,
        call: CallInfo,
    },
    CallCredentials {
        session: String,
        call: String,
        ice_servers: Vec<IceServer>,
        expires_at: i64,
    },
    CallSignal {
        session: String,
        call: String,
        signal: Signal,
    },
    CallMute {
        session: String,
        call: String,
        muted: bool,
    },
    FormFieldsRequest {
        session: String,
    },
    FormPush {
        session: String,
        push: u32,
        url: String,
        fields: Vec<FieldPush>,
        by: Option<String>,
    },
    PagePush {
        session: String,
        push: u32,
        url: String,
        label: Option<String>,
        by: Option<String>,
    },
    Error {
        /// The stable code as sent (see `protocol::ErrorCode`).
        code: String,
        message: String,
        session: Option<String>,
    },
}

/// Parses a text frame: its `rid` and what it says. `None` for malformed
/// frames and for types the widget does not handle (a newer server may
/// send frames we do not know yet).
pub fn parse(text: &str) -> Option<(Option<u64>, Incoming)> {
    let value = js_sys::JSON::parse(text).ok()?;
    read(&value)
}

pub fn read<S: Source>(v: &S) -> Option<(Option<u64>, Incoming)> {
    let rid = uint(v, "rid");
    let session = || text(v, "session");
    let frame = match text(v, "type")?.as_str() {
        "welcome" => Incoming::Welcome {
            visitor_id: text(v, "visitor_id"),
            token: text(v, "token"),
            sessions: list(v, "sessions", summary),
        },
        "queue.position" => Incoming::QueuePosition {
            session: session()?,
            place: Place {
                position: uint(v, "position")? as u32,
                eta_secs: uint(v, "eta_secs").map(|s| s as u32),
                unavailable: text(v, "unavailable").and_then(|u| unavailable(&u)),
            },
        },
        "session" => Incoming::Session(Box::new(summary(&v.get("session")?)?)),
        "event" => Incoming::Event {
            session: session()?,
            event: event(&v.get("event")?)?,
        },
        "history" => Incoming::History {
            session: session()?,
            events: list(v, "events", event),
            receipts: receipts(&v.get("receipts")?),
            more: flag(v, "more").unwrap_or(false),
        },
        "typing" => Incoming::Typing {
            session: session()?,
            author: Role::parse(&text(v, "author")?)?,
            active: flag(v, "active")?,
        },
        "receipts" => Incoming::Receipts {
            session: session()?,
            receipts: receipts(&v.get("receipts")?),
        },
        "cobrowse" => Incoming::Cobrowse {
            session: session()?,
            state: share_state(&text(v, "state")?)?,
        },
        "cobrowse.keyframe_request" => Incoming::KeyframeRequest {
            session: session()?,
        },
        "pointer" => Incoming::Pointer {
            session: session()?,
            node: uint(v, "node").map(|n| n as u32),
            x: number(v, "x").unwrap_or(0.0) as f32,
            y: number(v, "y").unwrap_or(0.0) as f32,
        },
        "highlight" => Incoming::Highlight {
            session: session()?,
            node: uint(v, "node")? as u32,
            label: text(v, "label"),
        },
        "highlight.clear" => Incoming::HighlightClear {
            session: session()?,
        },
        "call" => Incoming::Call {
            session: session()?,
            call: call_info(&v.get("call")?)?,
        },
        "call.credentials" => Incoming::CallCredentials {
            session: session()?,
            call: text(v, "call")?,
            ice_servers: list(v, "ice_servers", ice_server),
            expires_at: int(v, "expires_at")?,
        },
        "call.signal" => Incoming::CallSignal {
            session: session()?,
            call: text(v, "call")?,
            signal: signal(&v.get("signal")?)?,
        },
        "call.mute" => Incoming::CallMute {
            session: session()?,
            call: text(v, "call")?,
            muted: flag(v, "muted")?,
        },
        "form.fields.request" => Incoming::FormFieldsRequest {
            session: session()?,
        },
        "form.push" => Incoming::FormPush {
            session: session()?,
            push: uint(v, "push")? as u32,
            url: text(v, "url")?,
            fields: list(v, "fields", field_push),
            by: text(v, "by"),
        },
        "page.push" => Incoming::PagePush {
            session: session()?,
            push: uint(v, "push")? as u32,
            url: text(v, "url")?,
            label: text(v, "label"),
            by: text(v, "by"),
        },
        "error" => Incoming::Error {
            code: text(v, "code")?,
            message: text(v, "message").unwrap_or_default(),
            session: session(),
        },
        _ => return None,
    };
    Some((rid, frame))
}
