//! Every frame a client (widget or console) sends, as one enum tagged by
//! `type`. Each variant's fields are checked in `validate.rs`, with the
//! checks themselves beside the family's types (`chat.rs`, `form.rs`, …).

use serde::{Deserialize, Serialize};

use crate::call::{CallEndReason, Signal};
use crate::form::{FieldError, FieldPush, FormField, FormOutcome};
use crate::{AgentPresence, PageInfo, ReceiptKind, VisitorIdentity};

/// Messages a client sends. Which role may send which is documented per
/// variant; the server answers a frame from the wrong role with `forbidden`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ClientFrame {
    /// First frame on every connection. Visitors pass the token they were
    /// given before (none on a first visit); agents may pass a bearer token
    /// instead of the session cookie.
    #[serde(rename = "hello")]
    Hello {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        page: Option<PageInfo>,
    },
    /// Visitor: ask for help. Opens a session and puts it in the queue.
    #[serde(rename = "help.request")]
    HelpRequest {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
        message: String,
        /// The visitor's own id for the first message, echoed on its event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        page: Option<PageInfo>,
    },
    /// Visitor: withdraw a request still waiting in the queue.
    #[serde(rename = "help.cancel")]
    HelpCancel { session: String },
    /// Either side: a chat message.
    #[serde(rename = "chat.send")]
    ChatSend {
        session: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
        text: String,
    },
    /// Either side: typing started or stopped. Not stored.
    #[serde(rename = "typing")]
    Typing { session: String, active: bool },
    /// Either side: everything up to `seq` was delivered to / read by me.
    #[serde(rename = "receipt")]
    Receipt {
        session: String,
        kind: ReceiptKind,
        seq: u64,
    },
    /// Either side: send me the events after `after_seq` (0 for all).
    #[serde(rename = "session.sync")]
    SessionSync { session: String, after_seq: u64 },
    /// Either side: close the session.
    #[serde(rename = "session.end")]
    SessionEnd { session: String },
    /// Visitor: moved to another page.
    #[serde(rename = "page.view")]
    PageView { page: PageInfo },
    /// Visitor: who they are, as the site knows them.
    /// `hash`, when the site signs its users, is hex(HMAC-SHA256(site
    /// identity secret, id)); a matching hash marks the identity verified.
    #[serde(rename = "identify")]
    Identify {
        #[serde(flatten)]
        identity: VisitorIdentity,
        /// A JWT (HS256) the site's backend signed with the site's identity
        /// secret: `sub` the user id, `exp` its expiry. Verifies the identity.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
        /// Legacy: hex HMAC-SHA256 of `id`; verifies only on sites that
        /// still accept it (`--legacy-identity-hash on`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
    /// Agent: set availability.
    #[serde(rename = "presence.set")]
    PresenceSet { presence: AgentPresence },
    /// Agent: take a waiting request.
    #[serde(rename = "queue.accept")]
    QueueAccept { session: String },
    /// Agent: turn down a request offered to me; it goes to the next agent.
    #[serde(rename = "offer.decline")]
    OfferDecline { session: String },
    /// Agent: ask the visitor to share their screen.
    #[serde(rename = "cobrowse.request")]
    CobrowseRequest { session: String },
    /// Visitor: allow sharing (answering a request, or on their own initiative).
    #[serde(rename = "cobrowse.start")]
    CobrowseStart { session: String },
    /// Visitor: decline a request to share.
    #[serde(rename = "cobrowse.deny")]
    CobrowseDeny { session: String },
    /// Either side: stop sharing.
    #[serde(rename = "cobrowse.stop")]
    CobrowseStop { session: String },
    /// Agent: send me the current page (keyframe and deltas) from the server's
    /// log, e.g. after joining, reconnecting, or when the mirror found a gap.
    /// With `fresh`, the replay itself failed in this tab: ask the
    /// visitor's page for a new keyframe instead of replaying the log again.
    #[serde(rename = "cobrowse.subscribe")]
    CobrowseSubscribe {
        session: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        fresh: bool,
    },
    /// Agent: my pointer is over node `node` at (`x`, `y`), fractions of that
    /// element's box; `node` absent hides the pointer. Not stored.
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
    /// Agent: outline node `node` on the visitor's page, with an optional label.
    #[serde(rename = "highlight")]
    Highlight {
        session: String,
        node: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Agent: remove highlights.
    #[serde(rename = "highlight.clear")]
    HighlightClear { session: String },
    /// Agent: a private note on the session, seen by agents only.
    #[serde(rename = "note.add")]
    NoteAdd { session: String, text: String },
    /// Agent: hand the session to another agent (`agent`, by id) or back to
    /// the queue of another skill (`skill`, e.g. "level2"), with a private
    /// note for whoever takes it. Exactly one of `agent` and `skill`.
    #[serde(rename = "session.transfer")]
    SessionTransfer {
        session: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        skill: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Either side (the visitor only where the site allows it): start a voice
    /// call. The other side is asked to accept.
    #[serde(rename = "call.start")]
    CallStart { session: String },
    /// The called side: take the call. Both sides then get `call.credentials`.
    #[serde(rename = "call.accept")]
    CallAccept { session: String, call: String },
    /// The called side: refuse the call.
    #[serde(rename = "call.decline")]
    CallDecline { session: String, call: String },
    /// Either side: hang up (or cancel while ringing). `reason: "failed"` says
    /// no network path was found; any other reason is decided by the server.
    #[serde(rename = "call.end")]
    CallEnd {
        session: String,
        call: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<CallEndReason>,
    },
    /// Either side of an active call: WebRTC signaling for the other side.
    #[serde(rename = "call.signal")]
    CallSignal {
        session: String,
        call: String,
        signal: Signal,
    },
    /// Either side of an active call: my microphone is (un)muted.
    #[serde(rename = "call.mute")]
    CallMute {
        session: String,
        call: String,
        muted: bool,
    },
    /// Either side of an active call: fresh ICE server credentials (before an
    /// ICE restart once the first ones expired).
    #[serde(rename = "call.credentials")]
    CallCredentials { session: String, call: String },
    /// Agent: list the form fields of the visitor's current page (needs sharing).
    #[serde(rename = "form.fields.request")]
    FormFieldsRequest { session: String },
    /// Visitor: the form fields of the page at `url`, protected ones without values.
    #[serde(rename = "form.fields")]
    FormFields {
        session: String,
        url: String,
        fields: Vec<FormField>,
    },
    /// Agent: propose values for fields of the page at `url` (needs sharing).
    #[serde(rename = "form.push")]
    FormPush {
        session: String,
        url: String,
        fields: Vec<FieldPush>,
    },
    /// Visitor: the answer to form push `push`.
    #[serde(rename = "form.answer")]
    FormAnswer {
        session: String,
        push: u32,
        outcome: FormOutcome,
        #[serde(default)]
        applied: Vec<String>,
        #[serde(default)]
        rejected: Vec<String>,
        #[serde(default)]
        errors: Vec<FieldError>,
    },
    /// Agent: propose a page of the visitor's site (same origin as their page).
    #[serde(rename = "page.push")]
    PagePush {
        session: String,
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Visitor: the answer to page push `push`.
    #[serde(rename = "page.answer")]
    PageAnswer {
        session: String,
        push: u32,
        accepted: bool,
    },
    /// Visitor: nobody can answer now; leave a message or be called back.
    /// The request stays in line and is offered to agents once due.
    #[serde(rename = "callback.request")]
    CallbackRequest {
        session: String,
        callback: crate::Callback,
    },
    /// Agent (the session's last assigned agent), once the session has ended:
    /// record its wrap-up, a `disposition` from the list sent in `welcome`
    /// and an optional private note. Sending it again replaces the wrap-up.
    #[serde(rename = "session.wrapup")]
    SessionWrapup {
        session: String,
        disposition: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

/// Every `type` a client may send, for telling "unknown type" from "bad fields".
pub const CLIENT_TYPES: &[&str] = &[
    "hello",
    "help.request",
    "help.cancel",
    "chat.send",
    "typing",
    "receipt",
    "session.sync",
    "session.end",
    "page.view",
    "identify",
    "presence.set",
    "queue.accept",
    "offer.decline",
    "cobrowse.request",
    "cobrowse.start",
    "cobrowse.deny",
    "cobrowse.stop",
    "cobrowse.subscribe",
    "pointer",
    "highlight",
    "highlight.clear",
    "note.add",
    "session.transfer",
    "call.start",
    "call.accept",
    "call.decline",
    "call.end",
    "call.signal",
    "call.mute",
    "call.credentials",
    "form.fields.request",
    "form.fields",
    "form.push",
    "form.answer",
    "page.push",
    "page.answer",
    "callback.request",
    "session.wrapup",
];

impl ClientFrame {
    /// The session the frame is about, if any.
    pub fn session(&self) -> Option<&str> {
        match self {
            ClientFrame::HelpCancel { session }
            | ClientFrame::ChatSend { session, .. }
            | ClientFrame::Typing { session, .. }
            | ClientFrame::Receipt { session, .. }
            | ClientFrame::SessionSync { session, .. }
            | ClientFrame::SessionEnd { session }
            | ClientFrame::QueueAccept { session }
            | ClientFrame::OfferDecline { session }
            | ClientFrame::CobrowseRequest { session }
            | ClientFrame::CobrowseStart { session }
            | ClientFrame::CobrowseDeny { session }
            | ClientFrame::CobrowseStop { session }
            | ClientFrame::CobrowseSubscribe { session, .. }
            | ClientFrame::Pointer { session, .. }
            | ClientFrame::Highlight { session, .. }
            | ClientFrame::HighlightClear { session }
            | ClientFrame::NoteAdd { session, .. }
            | ClientFrame::SessionTransfer { session, .. } => Some(session),
            ClientFrame::CallStart { session }
            | ClientFrame::CallAccept { session, .. }
            | ClientFrame::CallDecline { session, .. }
            | ClientFrame::CallEnd { session, .. }
            | ClientFrame::CallSignal { session, .. }
            | ClientFrame::CallMute { session, .. }
            | ClientFrame::CallCredentials { session, .. } => Some(session),
            ClientFrame::FormFieldsRequest { session }
            | ClientFrame::FormFields { session, .. }
            | ClientFrame::FormPush { session, .. }
            | ClientFrame::FormAnswer { session, .. }
            | ClientFrame::PagePush { session, .. }
            | ClientFrame::PageAnswer { session, .. } => Some(session),
            ClientFrame::CallbackRequest { session, .. } => Some(session),
            ClientFrame::SessionWrapup { session, .. } => Some(session),
            _ => None,
        }
    }
}
