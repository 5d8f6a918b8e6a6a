//! Every frame the server sends, as one enum tagged by `type`.

use serde::{Deserialize, Serialize};

use crate::call::{CallInfo, IceServer, Signal};
use crate::cobrowse::{Highlight, Pointer, ShareState};
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
        /// Which side this connection speaks for: `visitor` or `agent`.
        role: Role,
        /// The server's clock (ms since the epoch), for correcting waiting times.
        server_time: Millis,
        /// Visitors: their id; absent for agents.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visitor_id: Option<String>,
        /// Visitors: the token to send in the next `hello`, renewed on every
        /// connection and valid 90 days; absent for agents.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
        /// Agents: who they are; absent for visitors.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<AgentInfo>,
        /// Agents: their presence as last set (`offline` until they set one); absent for visitors.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        presence: Option<AgentPresence>,
        /// The caller's open sessions: a visitor's one, or those assigned to the agent.
        sessions: Vec<SessionSummary>,
        /// Agents: the disposition tags a wrap-up may carry (`session.wrapup`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        dispositions: Vec<String>,
    },
    /// Agents: the whole waiting queue, oldest first, sent on every change.
    #[serde(rename = "queue")]
    Queue {
        /// The server's clock (ms since the epoch), for showing waiting times.
        server_time: Millis,
        /// The oldest waiting requests, at most 100.
        items: Vec<QueueItem>,
        /// How many are waiting in all (`items` holds at most the first 100).
        #[serde(default)]
        total: u32,
    },
    /// Visitor: where their waiting request stands (1 = next).
    #[serde(rename = "queue.position")]
    QueuePosition {
        /// The visitor's waiting session.
        session: String,
        /// Place among the visitors waiting live, 1 for next; 0 while the
        /// request waits outside a full line.
        position: u32,
        /// How many agents are online now.
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
        /// The session offered.
        session: String,
        /// When the offer lapses (ms since the epoch), 20 s after it by default.
        expires_at: Millis,
        /// The request as the queue shows it.
        item: QueueItem,
    },
    /// Agent: the offer no longer stands (taken, expired, cancelled).
    #[serde(rename = "offer.withdrawn")]
    OfferWithdrawn {
        /// The session that was offered.
        session: String,
    },
    /// A session changed state (accepted, ended, …).
    #[serde(rename = "session")]
    Session {
        /// The session as it is now.
        session: SessionSummary,
    },
    /// A new entry in a session's log.
    #[serde(rename = "event")]
    Event {
        /// The session whose log grew.
        session: String,
        /// The entry, redacted for visitors when it is agents-only.
        event: Event,
    },
    /// Reply to `session.sync`: events after the asked seq, oldest first.
    /// `more` is true when the page is full and the client should ask again.
    #[serde(rename = "history")]
    History {
        /// The session asked about.
        session: String,
        /// Entries after the asked seq, oldest first, at most 500.
        events: Vec<Event>,
        /// The session's delivered and read marks as they stand.
        receipts: Receipts,
        /// True when more entries follow: ask again after the last seq here.
        more: bool,
    },
    /// The other side started or stopped typing.
    #[serde(rename = "typing")]
    Typing {
        /// The session being typed in.
        session: String,
        /// Who is typing: `visitor` or `agent`.
        author: Role,
        /// True while they type, false once they stopped.
        active: bool,
    },
    /// Delivered/read state of a session changed.
    #[serde(rename = "receipts")]
    Receipts {
        /// The session whose receipts moved.
        session: String,
        /// Both sides' delivered and read marks, all four.
        receipts: Receipts,
    },
    /// Agent: their presence as now set (echoed to all their tabs).
    #[serde(rename = "presence")]
    Presence {
        /// The presence the agent just set.
        presence: AgentPresence,
    },
    /// Screen sharing in a session changed state.
    #[serde(rename = "cobrowse")]
    Cobrowse {
        /// The session whose sharing changed.
        session: String,
        /// `off`, `requested` or `active`.
        state: ShareState,
    },
    /// Visitor: send a fresh keyframe (the server's log is full, or an agent
    /// needs one and the log has none).
    #[serde(rename = "cobrowse.keyframe_request")]
    CobrowseKeyframeRequest {
        /// The shared session.
        session: String,
    },
    /// Visitor: the agent's pointer (see the client frame of the same name).
    #[serde(rename = "pointer")]
    Pointer(Pointer),
    /// Visitor: outline this node and scroll it into view.
    #[serde(rename = "highlight")]
    Highlight(Highlight),
    /// Visitor: remove highlights.
    #[serde(rename = "highlight.clear")]
    HighlightClear {
        /// The session whose highlights are removed.
        session: String,
    },
    /// A voice call in the session changed state (sent in full to both sides).
    #[serde(rename = "call")]
    Call {
        /// The session of the call.
        session: String,
        /// The call as it is now; clients key it by its `id`.
        call: CallInfo,
    },
    /// ICE servers for this connection's side of an active call: the embedded
    /// TURN server with short-lived credentials bound to the session, plus
    /// any configured external STUN/TURN servers.
    #[serde(rename = "call.credentials")]
    CallCredentials {
        /// The session of the call.
        session: String,
        /// Id of the active call.
        call: String,
        /// What goes into `RTCConfiguration.iceServers`, as is.
        ice_servers: Vec<IceServer>,
        /// When the TURN credentials stop being accepted.
        expires_at: Millis,
    },
    /// Signaling from the other side of the call.
    #[serde(rename = "call.signal")]
    CallSignal {
        /// The session of the call.
        session: String,
        /// Id of the active call.
        call: String,
        /// The side that sent it: `visitor` or `agent`.
        from: Role,
        /// The description or candidate, as that side sent it.
        signal: Signal,
    },
    /// The other side (un)muted their microphone.
    #[serde(rename = "call.mute")]
    CallMute {
        /// The session of the call.
        session: String,
        /// Id of the active call.
        call: String,
        /// The side whose microphone changed: `visitor` or `agent`.
        from: Role,
        /// True when that microphone is now muted.
        muted: bool,
    },
    /// Visitor: the agent asks for the form fields of the current page.
    #[serde(rename = "form.fields.request")]
    FormFieldsRequest {
        /// The shared session; the sharing tab answers with `form.fields`.
        session: String,
    },
    /// Agent: the form fields of the visitor's page at `url`.
    #[serde(rename = "form.fields")]
    FormFields {
        /// The shared session.
        session: String,
        /// The page the fields were read from.
        url: String,
        /// The fields as the widget listed them, protected ones without values.
        fields: Vec<FormField>,
    },
    /// Visitor: the agent `by` proposes values; answer with `form.answer`.
    #[serde(rename = "form.push")]
    FormPush {
        /// The shared session.
        session: String,
        /// The push's number in the session, to quote in `form.answer`.
        push: u32,
        /// The page the fields are on.
        url: String,
        /// The proposed values, 1 to 30 fields.
        fields: Vec<FieldPush>,
        /// The proposing agent's display name, shown to the visitor.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// Visitor: the agent `by` proposes the page `url`; answer with `page.answer`.
    #[serde(rename = "page.push")]
    PagePush {
        /// The session the push is made in.
        session: String,
        /// The push's number in the session, to quote in `page.answer`.
        push: u32,
        /// Absolute http(s) URL on the origin of the visitor's current page.
        url: String,
        /// A short name for the page, as the agent gave it; absent for none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// The proposing agent's display name, shown to the visitor.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// A frame was refused. `rid` in the envelope names the frame when it had one.
    #[serde(rename = "error")]
    Error {
        /// Why, as a stable string clients branch on.
        code: ErrorCode,
        /// A human-readable explanation, e.g. when to try again after `rate_limited`.
        message: String,
        /// The session the refused frame was about; absent when it named none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<String>,
    },
}
