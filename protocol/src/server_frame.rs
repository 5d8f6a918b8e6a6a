//! Every frame the server sends, as one enum tagged by `type`.

use serde::{Deserialize, Serialize};

use crate::call::{CallInfo, IceServer, Signal};
use crate::cobrowse::ShareState;
use crate::form::{FieldPush, FormField};
use crate::{
    AgentInfo, AgentPresence, ErrorCode, Event, Millis, QueueItem, Receipts, Role, SessionSummary,
};

/// Messages the server sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ServerFrame {
    /// Reply to `hello`. Visitors get their id and a (possibly renewed) token
    /// to keep; agents get who they are and their presence. `sessions` lists
    /// the caller's open sessions so a reloaded page can restore them.
    #[serde(rename = "welcome")]
    Welcome {
        role: Role,
        server_time: Millis,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visitor_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<AgentInfo>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        presence: Option<AgentPresence>,
        sessions: Vec<SessionSummary>,
        /// Agents: the disposition tags a wrap-up may carry (`session.wrapup`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        dispositions: Vec<String>,
    },
    /// Agents: the whole waiting queue, oldest first, sent on every change.
    #[serde(rename = "queue")]
    Queue {
        server_time: Millis,
        items: Vec<QueueItem>,
        /// How many are waiting in all (`items` holds at most the first 100).
        #[serde(default)]
        total: u32,
    },
    /// Visitor: where their waiting request stands (1 = next).
    #[serde(rename = "queue.position")]
    QueuePosition {
        session: String,
        position: u32,
        agents_online: u32,
        /// Estimated wait in seconds, from recent handle times and the agents
        /// available; absent when no agent is online.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        eta_secs: Option<u32>,
        /// Set when nobody can answer soon: the widget offers to leave a
        /// message or be called back.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unavailable: Option<crate::Unavailable>,
    },
    /// Agent: the distributor chose you for this request; accept it with
    /// `queue.accept` before `expires_at` or it moves to the next agent.
    #[serde(rename = "offer")]
    Offer {
        session: String,
        expires_at: Millis,
        item: QueueItem,
    },
    /// Agent: the offer no longer stands (taken, expired, cancelled).
    #[serde(rename = "offer.withdrawn")]
    OfferWithdrawn { session: String },
    /// A session changed state (accepted, ended, …).
    #[serde(rename = "session")]
    Session { session: SessionSummary },
    /// A new entry in a session's log.
    #[serde(rename = "event")]
    Event { session: String, event: Event },
    /// Reply to `session.sync`: events after the asked seq, oldest first.
    /// `more` is true when the page is full and the client should ask again.
    #[serde(rename = "history")]
    History {
        session: String,
        events: Vec<Event>,
        receipts: Receipts,
        more: bool,
    },
    /// The other side started or stopped typing.
    #[serde(rename = "typing")]
    Typing {
        session: String,
        author: Role,
        active: bool,
    },
    /// Delivered/read state of a session changed.
    #[serde(rename = "receipts")]
    Receipts { session: String, receipts: Receipts },
    /// Agent: their presence as now set (echoed to all their tabs).
    #[serde(rename = "presence")]
    Presence { presence: AgentPresence },
    /// Screen sharing in a session changed state.
    #[serde(rename = "cobrowse")]
    Cobrowse { session: String, state: ShareState },
    /// Visitor: send a fresh keyframe (the server's log is full, or an agent
    /// needs one and the log has none).
    #[serde(rename = "cobrowse.keyframe_request")]
    CobrowseKeyframeRequest { session: String },
    /// Visitor: the agent's pointer (see the client frame of the same name).
    #[serde(rename = "pointer")]
    Pointer {
        session: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        node: Option<u32>,
        #[serde(default)]
        x: f32,
        #[serde(default)]
        y: f32,
    },
    /// Visitor: outline this node and scroll it into view.
    #[serde(rename = "highlight")]
    Highlight {
        session: String,
        node: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Visitor: remove highlights.
    #[serde(rename = "highlight.clear")]
    HighlightClear { session: String },
    /// A voice call in the session changed state (sent in full to both sides).
    #[serde(rename = "call")]
    Call { session: String, call: CallInfo },
    /// ICE servers for this connection's side of an active call: the embedded
    /// TURN server with short-lived credentials bound to the session, plus
    /// any configured external STUN/TURN servers.
    #[serde(rename = "call.credentials")]
    CallCredentials {
        session: String,
        call: String,
        ice_servers: Vec<IceServer>,
        /// When the TURN credentials stop being accepted.
        expires_at: Millis,
    },
    /// Signaling from the other side of the call.
    #[serde(rename = "call.signal")]
    CallSignal {
        session: String,
        call: String,
        from: Role,
        signal: Signal,
    },
    /// The other side (un)muted their microphone.
    #[serde(rename = "call.mute")]
    CallMute {
        session: String,
        call: String,
        from: Role,
        muted: bool,
    },
    /// Visitor: the agent asks for the form fields of the current page.
    #[serde(rename = "form.fields.request")]
    FormFieldsRequest { session: String },
    /// Agent: the form fields of the visitor's page at `url`.
    #[serde(rename = "form.fields")]
    FormFields {
        session: String,
        url: String,
        fields: Vec<FormField>,
    },
    /// Visitor: the agent `by` proposes values; answer with `form.answer`.
    #[serde(rename = "form.push")]
    FormPush {
        session: String,
        push: u32,
        url: String,
        fields: Vec<FieldPush>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// Visitor: the agent `by` proposes the page `url`; answer with `page.answer`.
    #[serde(rename = "page.push")]
    PagePush {
        session: String,
        push: u32,
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// A frame was refused. `rid` in the envelope names the frame when it had one.
    #[serde(rename = "error")]
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<String>,
    },
}
