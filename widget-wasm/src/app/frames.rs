//! Reading the server's JSON frames into the protocol's types.
//!
//! The browser parses the JSON (`JSON.parse`, native and fast); this module
//! reads the fields the widget uses into `protocol`'s own structs
//! (`SessionSummary`, `Event`, `Receipts`…). Why not serde's derived
//! deserializers, as everywhere else: for the protocol's internally tagged
//! and flattened enums they are most of a visitor's download (78 KB of the
//! widget's 183 KB of gzipped WebAssembly, measured); reading by hand costs
//! a few. The protocol crate stays the one definition of every shape: the
//! tests below write each frame the widget handles with the protocol's
//! serde and check that reading it gives back the same values, so a renamed
//! field fails them, and a new field in a struct fails to compile here.

use protocol::{
    AgentInfo, CallAction, CallEndReason, CallInfo, CallPhase, Callback, Event, EventBody,
    FieldError, FieldProblem, FieldPush, FieldValue, FormOutcome, IceServer, PageInfo, Receipts,
    Role, SdpType, SessionState, SessionSummary, ShareAction, ShareState, Signal, Unavailable,
};
use wasm_bindgen::{JsCast, JsValue};

use crate::state::Place;

/// A parsed JSON value the reader can walk: a JS value in the browser,
/// a `serde_json::Value` in native tests.
pub trait Source: Sized {
    /// The field `key` of an object; `None` when missing or null.
    fn get(&self, key: &str) -> Option<Self>;
    fn string(&self) -> Option<String>;
    fn number(&self) -> Option<f64>;
    fn boolean(&self) -> Option<bool>;
    /// The items of an array (none for anything else).
    fn items(&self) -> Vec<Self>;
    /// The keys of an object (none for anything else).
    fn keys(&self) -> Vec<String>;
    fn is_array(&self) -> bool;
}

impl Source for JsValue {
    fn get(&self, key: &str) -> Option<JsValue> {
        if !self.is_object() {
            return None;
        }
        js_sys::Reflect::get(self, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    }

    fn string(&self) -> Option<String> {
        self.as_string()
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }

    fn items(&self) -> Vec<JsValue> {
        if js_sys::Array::is_array(self) {
            self.unchecked_ref::<js_sys::Array>().iter().collect()
        } else {
            Vec::new()
        }
    }

    fn keys(&self) -> Vec<String> {
        if !self.is_object() || js_sys::Array::is_array(self) {
            return Vec::new();
        }
        js_sys::Object::keys(self.unchecked_ref::<js_sys::Object>())
            .iter()
            .filter_map(|k| k.as_string())
            .collect()
    }

    fn is_array(&self) -> bool {
        js_sys::Array::is_array(self)
    }
}

/// The same reading over `serde_json::Value`, for native tests.
#[cfg(test)]
impl Source for serde_json::Value {
    fn get(&self, key: &str) -> Option<serde_json::Value> {
        self.as_object()?.get(key).filter(|v| !v.is_null()).cloned()
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(String::from)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Vec<serde_json::Value> {
        self.as_array().cloned().unwrap_or_default()
    }
    fn keys(&self) -> Vec<String> {
        self.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }
    fn is_array(&self) -> bool {
        serde_json::Value::is_array(self)
    }
}

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

pub fn text<S: Source>(v: &S, key: &str) -> Option<String> {
    v.get(key)?.string()
}

pub fn number<S: Source>(v: &S, key: &str) -> Option<f64> {
    v.get(key)?.number().filter(|n| n.is_finite())
}

/// A non-negative integer (JSON numbers are doubles: exact up to 2^53).
fn uint<S: Source>(v: &S, key: &str) -> Option<u64> {
    number(v, key)
        .filter(|n| *n >= 0.0 && n.fract() == 0.0)
        .map(|n| n as u64)
}

fn int<S: Source>(v: &S, key: &str) -> Option<i64> {
    number(v, key)
        .filter(|n| n.fract() == 0.0)
        .map(|n| n as i64)
}

fn flag<S: Source>(v: &S, key: &str) -> Option<bool> {
    v.get(key)?.boolean()
}

/// The readable items of the array `key`; unreadable ones are skipped.
fn list<S: Source, T>(v: &S, key: &str, read: fn(&S) -> Option<T>) -> Vec<T> {
    v.get(key)
        .map(|a| a.items().iter().filter_map(read).collect())
        .unwrap_or_default()
}

fn share_state(s: &str) -> Option<ShareState> {
    match s {
        "off" => Some(ShareState::Off),
        "requested" => Some(ShareState::Requested),
        "active" => Some(ShareState::Active),
        _ => None,
    }
}

fn share_action(s: &str) -> Option<ShareAction> {
    match s {
        "requested" => Some(ShareAction::Requested),
        "started" => Some(ShareAction::Started),
        "denied" => Some(ShareAction::Denied),
        "stopped" => Some(ShareAction::Stopped),
        _ => None,
    }
}

fn field_value<S: Source>(v: &S) -> Option<FieldValue> {
    if let Some(b) = v.boolean() {
        return Some(FieldValue::Flag(b));
    }
    if v.is_array() {
        return v
            .items()
            .iter()
            .map(|i| i.string())
            .collect::<Option<_>>()
            .map(FieldValue::List);
    }
    v.string().map(FieldValue::Text)
}

fn field_push<S: Source>(v: &S) -> Option<FieldPush> {
    Some(FieldPush {
        node: uint(v, "node")? as u32,
        name: text(v, "name")?,
        value: field_value(&v.get("value")?)?,
    })
}

fn names<S: Source>(v: &S, key: &str) -> Vec<String> {
    list(v, key, |s| s.string())
}

fn field_error<S: Source>(v: &S) -> Option<FieldError> {
    Some(FieldError {
        node: uint(v, "node")? as u32,
        name: text(v, "name")?,
        reason: FieldProblem::parse(&text(v, "reason")?)?,
    })
}

fn summary<S: Source>(v: &S) -> Option<SessionSummary> {
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
    })
}

fn callback<S: Source>(v: &S) -> Option<Callback> {
    Some(match text(v, "kind")?.as_str() {
        "message" => Callback::Message {
            email: text(v, "email")?,
        },
        "phone" => Callback::Phone {
            phone: text(v, "phone")?,
            at: int(v, "at"),
        },
        "browser" => Callback::Browser,
        _ => return None,
    })
}

fn unavailable(s: &str) -> Option<Unavailable> {
    let all = [
        Unavailable::NoAgents,
        Unavailable::Closed,
        Unavailable::LongWait,
        Unavailable::QueueFull,
    ];
    pick(s, &all, Unavailable::as_str)
}

/// Reads a snake_case enum value by its serde spelling, listed by `name`.
fn pick<T: Copy>(s: &str, all: &[T], name: fn(T) -> &'static str) -> Option<T> {
    all.iter().copied().find(|t| name(*t) == s)
}

fn call_phase(s: &str) -> Option<CallPhase> {
    let all = [CallPhase::Ringing, CallPhase::Active, CallPhase::Ended];
    pick(s, &all, |p| match p {
        CallPhase::Ringing => "ringing",
        CallPhase::Active => "active",
        CallPhase::Ended => "ended",
    })
}

fn end_reason(s: &str) -> Option<CallEndReason> {
    let all = [
        CallEndReason::HungUp,
        CallEndReason::Declined,
        CallEndReason::Cancelled,
        CallEndReason::NoAnswer,
        CallEndReason::Failed,
        CallEndReason::SessionEnded,
        CallEndReason::Transferred,
    ];
    pick(s, &all, CallEndReason::as_str)
}

fn call_info<S: Source>(v: &S) -> Option<CallInfo> {
    Some(CallInfo {
        id: text(v, "id")?,
        phase: call_phase(&text(v, "phase")?)?,
        started_by: Role::parse(&text(v, "started_by")?)?,
        created_at: int(v, "created_at").unwrap_or(0),
        answered_at: int(v, "answered_at"),
        ended_at: int(v, "ended_at"),
        end_reason: text(v, "end_reason").and_then(|r| end_reason(&r)),
    })
}

fn ice_server<S: Source>(v: &S) -> Option<IceServer> {
    let urls = v.get("urls")?;
    Some(IceServer {
        // RTCIceServer allows one URL as a plain string.
        urls: match urls.string() {
            Some(one) => vec![one],
            None => urls.items().iter().filter_map(|u| u.string()).collect(),
        },
        username: text(v, "username"),
        credential: text(v, "credential"),
    })
}

fn signal<S: Source>(v: &S) -> Option<Signal> {
    Some(match text(v, "kind")?.as_str() {
        "description" => Signal::Description {
            sdp_type: pick(
                &text(v, "sdp_type")?,
                &[
                    SdpType::Offer,
                    SdpType::Answer,
                    SdpType::Pranswer,
                    SdpType::Rollback,
                ],
                voice::peer::sdp_type_name,
            )?,
            sdp: text(v, "sdp").unwrap_or_default(),
        },
        "candidate" => Signal::Candidate {
            candidate: text(v, "candidate")?,
            sdp_mid: text(v, "sdp_mid"),
            sdp_mline_index: uint(v, "sdp_mline_index").map(|n| n as u16),
            username_fragment: text(v, "username_fragment"),
        },
        "end_of_candidates" => Signal::EndOfCandidates,
        _ => return None,
    })
}

fn call_action(s: &str) -> Option<CallAction> {
    let all = [CallAction::Started, CallAction::Answered, CallAction::Ended];
    pick(s, &all, |a| match a {
        CallAction::Started => "started",
        CallAction::Answered => "answered",
        CallAction::Ended => "ended",
    })
}

fn agent_info<S: Source>(v: &S, key: &str) -> Option<AgentInfo> {
    let a = v.get(key)?;
    Some(AgentInfo {
        id: text(&a, "id")?,
        name: text(&a, "name")?,
    })
}

fn receipts<S: Source>(v: &S) -> Receipts {
    let n = |k| uint(v, k).unwrap_or(0);
    Receipts {
        visitor_delivered: n("visitor_delivered"),
        visitor_read: n("visitor_read"),
        agent_delivered: n("agent_delivered"),
        agent_read: n("agent_read"),
    }
}

/// One log entry; `None` for kinds this widget does not know.
fn event<S: Source>(v: &S) -> Option<Event> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{ErrorCode, ServerEnvelope, ServerFrame};
    use serde_json::Value;

    /// Writes `frame` with the protocol's serde, reads it back by hand.
    fn round(frame: ServerFrame, rid: Option<u64>) -> Option<(Option<u64>, Incoming)> {
        let json = ServerEnvelope::reply(rid, frame).to_json();
        read(&serde_json::from_str::<Value>(&json).unwrap())
    }

    fn summary_full() -> SessionSummary {
        SessionSummary {
            id: "s_1".into(),
            site: "demo".into(),
            state: SessionState::Active,
            visitor_id: "v_1".into(),
            visitor_name: Some("Ann".into()),
            topic: Some("billing".into()),
            agent: Some(AgentInfo {
                id: "a_1".into(),
                name: "Ana".into(),
            }),
            page: Some(PageInfo {
                url: "https://shop.test/cart".into(),
                title: "Cart".into(),
            }),
            requested_at: 1_700_000_000_000,
            accepted_at: Some(1_700_000_001_000),
            ended_at: Some(1_700_000_002_000),
            last_seq: 42,
            share: ShareState::Active,
            call: Some(call_info_full()),
            callback: Some(Callback::Phone {
                phone: "+33 6 12 34 56 78".into(),
                at: Some(1_700_000_009_000),
            }),
        }
    }

    fn call_info_full() -> CallInfo {
        CallInfo {
            id: "c_1".into(),
            phase: CallPhase::Ended,
            started_by: Role::Agent,
            created_at: 1_700_000_003_000,
            answered_at: Some(1_700_000_004_000),
            ended_at: Some(1_700_000_005_000),
            end_reason: Some(CallEndReason::Failed),
        }
    }

    fn summary_bare() -> SessionSummary {
        SessionSummary {
            id: "s_2".into(),
            site: "demo".into(),
            state: SessionState::Queued,
            visitor_id: "v_1".into(),
            visitor_name: None,
            topic: None,
            agent: None,
            page: None,
            requested_at: 5,
            accepted_at: None,
            ended_at: None,
            last_seq: 0,
            share: ShareState::Off,
            call: None,
            callback: None,
        }
    }

    fn events() -> Vec<Event> {
        let e = |seq, author, author_name: Option<&str>, body| Event {
            seq,
            at: 1_700_000_000_000 + seq as i64,
            author,
            author_name: author_name.map(String::from),
            body,
        };
        vec![
            e(
                1,
                Role::Visitor,
                None,
                EventBody::Requested {
                    topic: Some("billing".into()),
                },
            ),
            e(2, Role::Visitor, None, EventBody::Requested { topic: None }),
            e(
                3,
                Role::Visitor,
                Some("Ann"),
                EventBody::Message {
                    text: "Hi \"there\"\n✓".into(),
                    client_id: Some("c1".into()),
                },
            ),
            e(
                4,
                Role::Agent,
                Some("Ana"),
                EventBody::Message {
                    text: "Hello".into(),
                    client_id: None,
                },
            ),
            e(
                5,
                Role::System,
                None,
                EventBody::AgentJoined {
                    agent_id: "a_1".into(),
                    name: "Ana".into(),
                },
            ),
            e(
                6,
                Role::Agent,
                None,
                EventBody::Share {
                    action: ShareAction::Requested,
                    by: Role::Agent,
                },
            ),
            e(
                7,
                Role::Visitor,
                None,
                EventBody::Share {
                    action: ShareAction::Started,
                    by: Role::Visitor,
                },
            ),
            e(
                8,
                Role::Visitor,
                None,
                EventBody::Share {
                    action: ShareAction::Denied,
                    by: Role::Visitor,
                },
            ),
            e(
                9,
                Role::Agent,
                None,
                EventBody::Share {
                    action: ShareAction::Stopped,
                    by: Role::Agent,
                },
            ),
            e(
                10,
                Role::Agent,
                None,
                EventBody::Highlight {
                    node: 77,
                    label: Some("here".into()),
                },
            ),
            e(
                11,
                Role::Agent,
                None,
                EventBody::Highlight {
                    node: 78,
                    label: None,
                },
            ),
            e(
                12,
                Role::Agent,
                Some("Ana"),
                EventBody::FormPush {
                    push: 1,
                    url: "https://shop.test/a".into(),
                    fields: vec!["email".into(), "phone".into()],
                },
            ),
            e(
                13,
                Role::Visitor,
                None,
                EventBody::FormAnswer {
                    push: 1,
                    outcome: FormOutcome::Failed,
                    applied: vec![],
                    rejected: vec!["phone".into()],
                    errors: vec![FieldError {
                        node: 4,
                        name: "email".into(),
                        reason: FieldProblem::Password,
                    }],
                },
            ),
            e(
                14,
                Role::Agent,
                None,
                EventBody::PagePush {
                    push: 2,
                    url: "https://shop.test/b".into(),
                    label: Some("Cart".into()),
                },
            ),
            e(
                15,
                Role::Visitor,
                None,
                EventBody::PageAnswer {
                    push: 2,
                    accepted: true,
                },
            ),
            e(
                16,
                Role::Visitor,
                None,
                EventBody::Ended { by: Role::Visitor },
            ),
            e(
                17,
                Role::Visitor,
                None,
                EventBody::Callback {
                    callback: Callback::Message {
                        email: "ann@example.com".into(),
                    },
                },
            ),
            e(
                18,
                Role::Visitor,
                None,
                EventBody::Callback {
                    callback: Callback::Browser,
                },
            ),
            e(
                13,
                Role::Agent,
                Some("Ana"),
                EventBody::Call {
                    call: "c_1".into(),
                    action: CallAction::Started,
                    by: Role::Agent,
                    duration_ms: None,
                    reason: None,
                },
            ),
            e(
                14,
                Role::System,
                None,
                EventBody::Call {
                    call: "c_1".into(),
                    action: CallAction::Ended,
                    by: Role::Visitor,
                    duration_ms: Some(133_000),
                    reason: Some(CallEndReason::HungUp),
                },
            ),
        ]
    }

    fn ice_servers() -> Vec<IceServer> {
        vec![
            IceServer {
                urls: vec![
                    "turn:127.0.0.1:3478?transport=udp".into(),
                    "stun:127.0.0.1:3478".into(),
                ],
                username: Some("1700000600:s_1".into()),
                credential: Some("c2VjcmV0".into()),
            },
            IceServer {
                urls: vec!["stun:stun.example.org".into()],
                username: None,
                credential: None,
            },
        ]
    }

    fn signals() -> Vec<Signal> {
        let mut all: Vec<Signal> = [
            SdpType::Offer,
            SdpType::Answer,
            SdpType::Pranswer,
            SdpType::Rollback,
        ]
        .into_iter()
        .map(|sdp_type| Signal::Description {
            sdp_type,
            sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n".into(),
        })
        .collect();
        all.push(Signal::Candidate {
            candidate: "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host".into(),
            sdp_mid: Some("0".into()),
            sdp_mline_index: Some(0),
            username_fragment: Some("abcd".into()),
        });
        all.push(Signal::Candidate {
            candidate: "candidate:2 1 udp 1 127.0.0.1 50001 typ relay".into(),
            sdp_mid: None,
            sdp_mline_index: None,
            username_fragment: None,
        });
        all.push(Signal::EndOfCandidates);
        all
    }

    fn pushes() -> Vec<FieldPush> {
        let p = |node, name: &str, value| FieldPush {
            node,
            name: name.into(),
            value,
        };
        vec![
            p(1, "email", FieldValue::Text("a@b.c".into())),
            p(2, "news", FieldValue::Flag(true)),
            p(3, "tags", FieldValue::List(vec!["x".into(), "y".into()])),
            p(4, "empty", FieldValue::List(vec![])),
        ]
    }

    #[test]
    fn every_frame_the_widget_handles_reads_back_as_written() {
        let r = Receipts {
            visitor_delivered: 1,
            visitor_read: 2,
            agent_delivered: 3,
            agent_read: 4,
        };
        // A call with only the fields a ringing call has.
        let ringing = CallInfo {
            phase: CallPhase::Ringing,
            started_by: Role::Visitor,
            answered_at: None,
            ended_at: None,
            end_reason: None,
            ..call_info_full()
        };
        let cases: Vec<(ServerFrame, Incoming)> = vec![
            (
                ServerFrame::Welcome {
                    role: Role::Visitor,
                    server_time: 9,
                    visitor_id: Some("v_1".into()),
                    token: Some("tok".into()),
                    agent: None,
                    presence: None,
                    sessions: vec![summary_full(), summary_bare()],
                    dispositions: vec![],
                },
                Incoming::Welcome {
                    visitor_id: Some("v_1".into()),
                    token: Some("tok".into()),
                    sessions: vec![summary_full(), summary_bare()],
                },
            ),
            (
                ServerFrame::QueuePosition {
                    session: "s_2".into(),
                    position: 3,
                    agents_online: 1,
                    eta_secs: Some(40),
                    unavailable: Some(Unavailable::LongWait),
                },
                Incoming::QueuePosition {
                    session: "s_2".into(),
                    place: Place {
                        position: 3,
                        eta_secs: Some(40),
                        unavailable: Some(Unavailable::LongWait),
                    },
                },
            ),
            (
                ServerFrame::QueuePosition {
                    session: "s_2".into(),
                    position: 1,
                    agents_online: 0,
                    eta_secs: None,
                    unavailable: Some(Unavailable::NoAgents),
                },
                Incoming::QueuePosition {
                    session: "s_2".into(),
                    place: Place {
                        position: 1,
                        eta_secs: None,
                        unavailable: Some(Unavailable::NoAgents),
                    },
                },
            ),
            (
                ServerFrame::Session {
                    session: summary_full(),
                },
                Incoming::Session(Box::new(summary_full())),
            ),
            (
                ServerFrame::History {
                    session: "s_1".into(),
                    events: events(),
                    receipts: r,
                    more: true,
                },
                Incoming::History {
                    session: "s_1".into(),
                    events: events(),
                    receipts: r,
                    more: true,
                },
            ),
            (
                ServerFrame::Typing {
                    session: "s_1".into(),
                    author: Role::Agent,
                    active: true,
                },
                Incoming::Typing {
                    session: "s_1".into(),
                    author: Role::Agent,
                    active: true,
                },
            ),
            (
                ServerFrame::Receipts {
                    session: "s_1".into(),
                    receipts: r,
                },
                Incoming::Receipts {
                    session: "s_1".into(),
                    receipts: r,
                },
            ),
            (
                ServerFrame::Cobrowse {
                    session: "s_1".into(),
                    state: ShareState::Requested,
                },
                Incoming::Cobrowse {
                    session: "s_1".into(),
                    state: ShareState::Requested,
                },
            ),
            (
                ServerFrame::CobrowseKeyframeRequest {
                    session: "s_1".into(),
                },
                Incoming::KeyframeRequest {
                    session: "s_1".into(),
                },
            ),
            (
                ServerFrame::Pointer {
                    session: "s_1".into(),
                    node: Some(12),
                    x: 0.25,
                    y: 0.5,
                },
                Incoming::Pointer {
                    session: "s_1".into(),
                    node: Some(12),
                    x: 0.25,
                    y: 0.5,
                },
            ),
            (
                ServerFrame::Pointer {
                    session: "s_1".into(),
                    node: None,
                    x: 0.0,
                    y: 0.0,
                },
                Incoming::Pointer {
                    session: "s_1".into(),
                    node: None,
                    x: 0.0,
                    y: 0.0,
                },
            ),
            (
                ServerFrame::Highlight {
                    session: "s_1".into(),
                    node: 9,
                    label: Some("Click here".into()),
                },
                Incoming::Highlight {
                    session: "s_1".into(),
                    node: 9,
                    label: Some("Click here".into()),
                },
            ),
            (
                ServerFrame::HighlightClear {
                    session: "s_1".into(),
                },
                Incoming::HighlightClear {
                    session: "s_1".into(),
                },
            ),
            (
                ServerFrame::Call {
                    session: "s_1".into(),
                    call: call_info_full(),
                },
                Incoming::Call {
                    session: "s_1".into(),
                    call: call_info_full(),
                },
            ),
            (
                ServerFrame::Call {
                    session: "s_1".into(),
                    call: ringing.clone(),
                },
                Incoming::Call {
                    session: "s_1".into(),
                    call: ringing,
                },
            ),
            (
                ServerFrame::CallCredentials {
                    session: "s_1".into(),
                    call: "c_1".into(),
                    ice_servers: ice_servers(),
                    expires_at: 1_700_000_600_000,
                },
                Incoming::CallCredentials {
                    session: "s_1".into(),
                    call: "c_1".into(),
                    ice_servers: ice_servers(),
                    expires_at: 1_700_000_600_000,
                },
            ),
            (
                ServerFrame::CallMute {
                    session: "s_1".into(),
                    call: "c_1".into(),
                    from: Role::Agent,
                    muted: true,
                },
                Incoming::CallMute {
                    session: "s_1".into(),
                    call: "c_1".into(),
                    muted: true,
                },
            ),
            (
                ServerFrame::FormFieldsRequest {
                    session: "s_1".into(),
                },
                Incoming::FormFieldsRequest {
                    session: "s_1".into(),
                },
            ),
            (
                ServerFrame::FormPush {
                    session: "s_1".into(),
                    push: 3,
                    url: "https://shop.test/a".into(),
                    fields: pushes(),
                    by: Some("Ana".into()),
                },
                Incoming::FormPush {
                    session: "s_1".into(),
                    push: 3,
                    url: "https://shop.test/a".into(),
                    fields: pushes(),
                    by: Some("Ana".into()),
                },
            ),
            (
                ServerFrame::PagePush {
                    session: "s_1".into(),
                    push: 4,
                    url: "https://shop.test/b".into(),
                    label: None,
                    by: None,
                },
                Incoming::PagePush {
                    session: "s_1".into(),
                    push: 4,
                    url: "https://shop.test/b".into(),
                    label: None,
                    by: None,
                },
            ),
            (
                ServerFrame::Error {
                    code: ErrorCode::SessionOpen,
                    message: "already open".into(),
                    session: Some("s_1".into()),
                },
                Incoming::Error {
                    code: "session_open".into(),
                    message: "already open".into(),
                    session: Some("s_1".into()),
                },
            ),
        ];
        for (frame, want) in cases {
            let json = ServerEnvelope::new(frame.clone()).to_json();
            assert_eq!(round(frame, None), Some((None, want)), "{json}");
        }
        for signal in signals() {
            let frame = ServerFrame::CallSignal {
                session: "s_1".into(),
                call: "c_1".into(),
                from: Role::Agent,
                signal: signal.clone(),
            };
            let want = Incoming::CallSignal {
                session: "s_1".into(),
                call: "c_1".into(),
                signal,
            };
            assert_eq!(round(frame, None), Some((None, want)));
        }
        for e in events() {
            let frame = ServerFrame::Event {
                session: "s_1".into(),
                event: e.clone(),
            };
            assert_eq!(
                round(frame, None),
                Some((
                    None,
                    Incoming::Event {
                        session: "s_1".into(),
                        event: e
                    }
                ))
            );
        }
    }

    #[test]
    fn rid_is_read_and_unknown_frames_are_skipped() {
        let frame = ServerFrame::HighlightClear {
            session: "s_1".into(),
        };
        assert_eq!(round(frame, Some(7)).unwrap().0, Some(7));
        let queue = ServerFrame::Queue {
            server_time: 1,
            items: vec![],
            total: 0,
        };
        assert_eq!(round(queue, None), None, "agent-only frame");
        let odd: Value = serde_json::from_str(r#"{"v":1,"type":"event","session":"s","event":{"seq":1,"at":1,"author":"agent","kind":"teleport"}}"#).unwrap();
        assert_eq!(read(&odd), None, "an event kind from a newer server");
        assert_eq!(read(&Value::Null), None);
        let every_error = [
            ErrorCode::BadToken,
            ErrorCode::RateLimited,
            ErrorCode::NotSharing,
            ErrorCode::UnknownSession,
            ErrorCode::NoCall,
            ErrorCode::VoiceDisabled,
            ErrorCode::CallInProgress,
        ];
        for code in every_error {
            let f = ServerFrame::Error {
                code,
                message: "m".into(),
                session: None,
            };
            match round(f, None) {
                Some((_, Incoming::Error { code: c, .. })) => assert_eq!(c, code.as_str()),
                other => panic!("{other:?}"),
            }
        }
    }
}
