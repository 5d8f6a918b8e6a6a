//! Every frame a client (widget or console) sends, as one enum tagged by
//! `type`. Each variant's fields are checked in `validate.rs`, with the
//! checks themselves beside the family's types (`chat.rs`, `form.rs`, …).

use serde::{Deserialize, Serialize};

use crate::call::{CallEndReason, Signal};
use crate::cobrowse::{Highlight, Pointer};
use crate::form::{FieldPush, FormAnswer, FormField};
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
        /// A visitor's token from an earlier `welcome` (≤ 512 characters), or an
        /// agent's bearer token; absent for a new visitor or an agent with the cookie.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
        /// Visitors: the page they are on; dropped unless it is an http(s) URL.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        page: Option<PageInfo>,
    },
    /// Visitor: ask for help. Opens a session and puts it in the queue.
    #[serde(rename = "help.request")]
    HelpRequest {
        /// The topic the visitor picked (≤ 200 characters): the skill an agent
        /// needs to be offered the request; absent, blank or `other` for any agent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
        /// The visitor's first message (≤ 4,000 characters), logged as the
        /// session's first `message` event and shown in the queue.
        message: String,
        /// The visitor's own id for the first message, echoed on its event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
        /// The page the visitor asks from; dropped unless it is an http(s) URL.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        page: Option<PageInfo>,
    },
    /// Visitor: withdraw a request still waiting in the queue.
    #[serde(rename = "help.cancel")]
    HelpCancel {
        /// The visitor's waiting session to withdraw.
        session: String,
    },
    /// Either side: a chat message.
    #[serde(rename = "chat.send")]
    ChatSend {
        /// The session to write in.
        session: String,
        /// The sender's own id for the message (≤ 64 characters), echoed on its
        /// event so the sender can replace its optimistic copy.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
        /// The message: not blank, at most 4,000 characters.
        text: String,
    },
    /// Either side: typing started or stopped. Not stored.
    #[serde(rename = "typing")]
    Typing {
        /// The session being typed in.
        session: String,
        /// True while the sender types, false once they stopped.
        active: bool,
    },
    /// Either side: everything up to `seq` was delivered to / read by me.
    #[serde(rename = "receipt")]
    Receipt {
        /// The session whose events were received or read.
        session: String,
        /// `delivered` (the device has them) or `read` (shown while visible).
        kind: ReceiptKind,
        /// The highest event seq covered; a lower one than already sent changes nothing.
        seq: u64,
    },
    /// Either side: send me the events after `after_seq` (0 for all).
    #[serde(rename = "session.sync")]
    SessionSync {
        /// The session to catch up on; answered by `history`.
        session: String,
        /// The highest seq the client already has; 0 for the whole log.
        after_seq: u64,
    },
    /// Either side: close the session.
    #[serde(rename = "session.end")]
    SessionEnd {
        /// The session to close.
        session: String,
    },
    /// Visitor: the page went to the background (`visible: false`) or came
    /// back to the front; the agent sees it (`SessionSummary::visitor_presence`).
    #[serde(rename = "page.visibility")]
    PageVisibility {
        /// Whether the page is in front (`document.visibilityState`).
        visible: bool,
    },
    /// Visitor: moved to another page.
    #[serde(rename = "page.view")]
    PageView {
        /// The page now shown; anything but an http(s) URL gets `invalid_frame`.
        page: PageInfo,
    },
    /// Visitor: who they are, as the site knows them.
    /// `hash`, when the site signs its users, is hex(HMAC-SHA256(site
    /// identity secret, id)); a matching hash marks the identity verified.
    #[serde(rename = "identify")]
    Identify {
        /// `id`, `name`, `email` and `attributes`, flat in the frame; a
        /// `verified` sent by the page is ignored.
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
    PresenceSet {
        /// `online` (receives the queue and offers), `away` or `offline`.
        presence: AgentPresence,
    },
    /// Agent: take a waiting request.
    #[serde(rename = "queue.accept")]
    QueueAccept {
        /// The waiting session to take; `already_taken` if another agent was first.
        session: String,
    },
    /// Agent: turn down a request offered to me; it goes to the next agent.
    #[serde(rename = "offer.decline")]
    OfferDecline {
        /// The session named in the `offer`.
        session: String,
    },
    /// Agent: ask the visitor to share their screen.
    #[serde(rename = "cobrowse.request")]
    CobrowseRequest {
        /// The session whose visitor is asked to share.
        session: String,
    },
    /// Visitor: allow sharing (answering a request, or on their own initiative).
    #[serde(rename = "cobrowse.start")]
    CobrowseStart {
        /// The session to share the screen with; it needs an agent.
        session: String,
    },
    /// Visitor: decline a request to share.
    #[serde(rename = "cobrowse.deny")]
    CobrowseDeny {
        /// The session whose share request is declined.
        session: String,
    },
    /// Either side: stop sharing.
    #[serde(rename = "cobrowse.stop")]
    CobrowseStop {
        /// The session to stop sharing in; answered `off` even when nothing is shared.
        session: String,
    },
    /// Agent: send me the current page (keyframe and deltas) from the server's
    /// log, e.g. after joining, reconnecting, or when the mirror found a gap.
    /// With `fresh`, the replay itself failed in this tab: ask the
    /// visitor's page for a new keyframe instead of replaying the log again.
    #[serde(rename = "cobrowse.subscribe")]
    CobrowseSubscribe {
        /// The shared session whose page this tab wants.
        session: String,
        /// Ask the widget for a new keyframe instead of a replay; absent (false)
        /// replays the server's log.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        fresh: bool,
    },
    /// Agent: my pointer is over a node of the visitor's page; not stored.
    #[serde(rename = "pointer")]
    Pointer(Pointer),
    /// Agent: outline a node on the visitor's page, with an optional label.
    #[serde(rename = "highlight")]
    Highlight(Highlight),
    /// Agent: remove highlights.
    #[serde(rename = "highlight.clear")]
    HighlightClear {
        /// The session whose highlights are removed.
        session: String,
    },
    /// Agent: a private note on the session, seen by agents only.
    #[serde(rename = "note.add")]
    NoteAdd {
        /// The session the note is about.
        session: String,
        /// The note: not blank, at most 4,000 characters.
        text: String,
    },
    /// Agent: hand the session to another agent (`agent`, by id) or back to
    /// the queue of another skill (`skill`, e.g. "level2"), with a private
    /// note for whoever takes it. Exactly one of `agent` and `skill`.
    #[serde(rename = "session.transfer")]
    SessionTransfer {
        /// The active session to hand on; only its current agent may.
        session: String,
        /// Id of the agent to hand it to, who must be online, connected and under capacity.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<String>,
        /// The skill whose queue the session goes back to, as its new topic.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        skill: Option<String>,
        /// Private note (≤ 4,000 characters) logged first as a `note` event; absent for none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Either side (the visitor only where the site allows it): start a voice
    /// call. The other side is asked to accept.
    #[serde(rename = "call.start")]
    CallStart {
        /// The session to call in; it needs an agent.
        session: String,
    },
    /// The called side: take the call. Both sides then get `call.credentials`.
    #[serde(rename = "call.accept")]
    CallAccept {
        /// The session the call rings in.
        session: String,
        /// Id of the ringing call, from its `call` frame.
        call: String,
    },
    /// The called side: refuse the call.
    #[serde(rename = "call.decline")]
    CallDecline {
        /// The session the call rings in.
        session: String,
        /// Id of the ringing call, from its `call` frame.
        call: String,
    },
    /// Either side: hang up (or cancel while ringing). `reason: "failed"` says
    /// no network path was found; any other reason is decided by the server.
    #[serde(rename = "call.end")]
    CallEnd {
        /// The session of the call.
        session: String,
        /// Id of the call to end.
        call: String,
        /// `failed` when no network path was found; absent for a plain hang-up.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<CallEndReason>,
    },
    /// Either side of an active call: WebRTC signaling for the other side.
    #[serde(rename = "call.signal")]
    CallSignal {
        /// The session of the call.
        session: String,
        /// Id of the active call; any other gets `no_call`.
        call: String,
        /// A description or candidate, relayed unchanged to the other side's tabs.
        signal: Signal,
    },
    /// Either side of an active call: my microphone is (un)muted.
    #[serde(rename = "call.mute")]
    CallMute {
        /// The session of the call.
        session: String,
        /// Id of the active call.
        call: String,
        /// True when the sender's microphone is now muted.
        muted: bool,
    },
    /// Either side of an active call: fresh ICE server credentials (before an
    /// ICE restart once the first ones expired).
    #[serde(rename = "call.credentials")]
    CallCredentials {
        /// The session of the call.
        session: String,
        /// Id of the active call; answered by `call.credentials` with the same `rid`.
        call: String,
    },
    /// Agent: list the form fields of the visitor's current page (needs sharing).
    #[serde(rename = "form.fields.request")]
    FormFieldsRequest {
        /// The shared session whose page is listed.
        session: String,
    },
    /// Visitor: the form fields of the page at `url`, protected ones without values.
    #[serde(rename = "form.fields")]
    FormFields {
        /// The shared session; the listing goes to its agent, never stored.
        session: String,
        /// The page the fields were read from.
        url: String,
        /// The page's fields, at most 150.
        fields: Vec<FormField>,
    },
    /// Agent: propose values for fields of the page at `url` (needs sharing).
    #[serde(rename = "form.push")]
    FormPush {
        /// The shared session.
        session: String,
        /// The page the fields are on; the widget refuses the push elsewhere (`left_page`).
        url: String,
        /// The proposed values, 1 to 30 fields.
        fields: Vec<FieldPush>,
    },
    /// Visitor: the answer to form push `push`.
    #[serde(rename = "form.answer")]
    FormAnswer(FormAnswer),
    /// Agent: propose a page of the visitor's site (same origin as their page).
    #[serde(rename = "page.push")]
    PagePush {
        /// The session whose visitor is proposed the page.
        session: String,
        /// Absolute http(s) URL on the origin of the visitor's current page.
        url: String,
        /// A short name for the page (≤ 200 characters); absent for none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Visitor: the answer to page push `push`.
    #[serde(rename = "page.answer")]
    PageAnswer {
        /// The session the push was made in.
        session: String,
        /// The number the server gave the push in its `page.push` frame.
        push: u32,
        /// True when the visitor agreed; the widget navigates once the event comes back.
        accepted: bool,
    },
    /// Visitor: nobody can answer now; leave a message or be called back.
    /// The request stays in line and is offered to agents once due.
    #[serde(rename = "callback.request")]
    CallbackRequest {
        /// The visitor's own queued session.
        session: String,
        /// How to get back to the visitor; replaces an earlier choice.
        callback: crate::Callback,
    },
    /// Agent (the session's last assigned agent), once the session has ended:
    /// record its wrap-up, a `disposition` from the list sent in `welcome`
    /// and an optional private note. Sending it again replaces the wrap-up.
    #[serde(rename = "session.wrapup")]
    SessionWrapup {
        /// The ended session to wrap up.
        session: String,
        /// One of the tags in [`crate::DISPOSITIONS`]; any other gets `invalid_frame`.
        disposition: String,
        /// Private note, at most 1,000 characters; absent for none.
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
    "page.visibility",
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
            | ClientFrame::Pointer(Pointer { session, .. })
            | ClientFrame::Highlight(Highlight { session, .. })
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
            | ClientFrame::FormAnswer(FormAnswer { session, .. })
            | ClientFrame::PagePush { session, .. }
            | ClientFrame::PageAnswer { session, .. } => Some(session),
            ClientFrame::CallbackRequest { session, .. } => Some(session),
            ClientFrame::SessionWrapup { session, .. } => Some(session),
            _ => None,
        }
    }
}
