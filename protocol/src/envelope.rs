//! Frames in both directions and the envelope around them.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::call::{CallEndReason, CallInfo, IceServer, Signal};
use crate::cobrowse::ShareState;
use crate::form::{self, FieldError, FieldPush, FormField, FormOutcome};
use crate::limits::*;
use crate::{
    AgentInfo, AgentPresence, ErrorCode, Event, Millis, PageInfo, QueueItem, ReceiptKind, Receipts,
    Role, SessionSummary, VERSION, VisitorIdentity,
};

/// A frame from a client (widget or console) with its envelope fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientEnvelope {
    pub v: u16,
    /// Optional request id; an `error` caused by this frame echoes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rid: Option<u64>,
    #[serde(flatten)]
    pub frame: ClientFrame,
}

impl ClientEnvelope {
    pub fn new(frame: ClientFrame) -> Self {
        ClientEnvelope {
            v: VERSION,
            rid: None,
            frame,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("client frames always serialise")
    }
}

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

    /// Checks every field against `limits`; the message says which one failed.
    pub fn validate(&self) -> Result<(), String> {
        fn page(p: &Option<PageInfo>) -> Result<(), String> {
            match p {
                Some(p) => {
                    short_len("page.url", &p.url, MAX_URL_CHARS)?;
                    short_len("page.title", &p.title, MAX_SHORT_CHARS)
                }
                None => Ok(()),
            }
        }
        match self {
            ClientFrame::Hello { token, page: p } => {
                if let Some(t) = token {
                    short_len("token", t, 512)?;
                }
                page(p)
            }
            ClientFrame::HelpRequest {
                topic,
                message,
                client_id,
                page: p,
            } => {
                if let Some(t) = topic {
                    short_len("topic", t, MAX_SHORT_CHARS)?;
                }
                if let Some(c) = client_id {
                    short_len("client_id", c, MAX_CLIENT_ID_CHARS)?;
                }
                message_text(message)?;
                page(p)
            }
            ClientFrame::ChatSend {
                client_id, text, ..
            } => {
                if let Some(c) = client_id {
                    short_len("client_id", c, MAX_CLIENT_ID_CHARS)?;
                }
                message_text(text)?;
                if text.trim().is_empty() {
                    return Err("text must not be empty".into());
                }
                Ok(())
            }
            // A page view is only its page: one that is not a web page is
            // refused (hello and help.request keep the rest and drop the page).
            ClientFrame::PageView { page: p } => {
                page(&Some(p.clone()))?;
                if !p.is_web() {
                    return Err("page.url must be an http or https address".into());
                }
                Ok(())
            }
            ClientFrame::Highlight {
                label: Some(label), ..
            } => short_len("label", label, MAX_SHORT_CHARS),
            ClientFrame::NoteAdd { text, .. } => {
                message_text(text)?;
                if text.trim().is_empty() {
                    return Err("text must not be empty".into());
                }
                Ok(())
            }
            ClientFrame::SessionTransfer {
                agent, skill, note, ..
            } => {
                match (agent, skill) {
                    (Some(a), None) => short_len("agent", a, MAX_SHORT_CHARS)?,
                    (None, Some(s)) if !s.trim().is_empty() => {
                        short_len("skill", s, MAX_SHORT_CHARS)?
                    }
                    _ => return Err("name either an agent or a skill to transfer to".into()),
                }
                note.as_deref().map_or(Ok(()), message_text)
            }
            ClientFrame::CallAccept { call, .. }
            | ClientFrame::CallDecline { call, .. }
            | ClientFrame::CallEnd { call, .. }
            | ClientFrame::CallMute { call, .. }
            | ClientFrame::CallCredentials { call, .. } => short_len("call", call, MAX_ID_CHARS),
            ClientFrame::CallSignal { call, signal, .. } => {
                short_len("call", call, MAX_ID_CHARS)?;
                signal_size(signal)
            }
            ClientFrame::FormFields { url, fields, .. } => {
                short_len("url", url, MAX_URL_CHARS)?;
                form::validate_fields(fields)
            }
            ClientFrame::FormPush { url, fields, .. } => form::validate_push(url, fields),
            ClientFrame::FormAnswer {
                applied,
                rejected,
                errors,
                ..
            } => {
                form::validate_names(applied)?;
                form::validate_names(rejected)?;
                if errors.len() > MAX_PUSH_FIELDS {
                    return Err(format!("at most {MAX_PUSH_FIELDS} errors"));
                }
                errors
                    .iter()
                    .try_for_each(|e| short_len("field name", &e.name, MAX_SHORT_CHARS))
            }
            ClientFrame::PagePush { url, label, .. } => {
                short_len("url", url, MAX_URL_CHARS)?;
                if form::http_origin(url).is_none() {
                    return Err("url must be an absolute http(s) URL".into());
                }
                match label {
                    Some(l) => short_len("label", l, MAX_SHORT_CHARS),
                    None => Ok(()),
                }
            }
            ClientFrame::Pointer { x, y, .. } => {
                if x.is_finite() && y.is_finite() {
                    Ok(())
                } else {
                    Err("pointer offsets must be finite numbers".into())
                }
            }
            ClientFrame::Identify {
                identity,
                token,
                hash,
            } => {
                if let Some(h) = hash {
                    short_len("hash", h, 128)?;
                }
                if token
                    .as_ref()
                    .is_some_and(|t| t.len() > MAX_IDENTITY_TOKEN_BYTES)
                {
                    return Err(format!(
                        "token is longer than {MAX_IDENTITY_TOKEN_BYTES} bytes"
                    ));
                }
                identity.validate()
            }
            ClientFrame::CallbackRequest { callback, .. } => callback.validate_contact(),
            ClientFrame::SessionWrapup {
                disposition, note, ..
            } => {
                if !crate::DISPOSITIONS.contains(&disposition.as_str()) {
                    let shown: String = disposition.chars().take(40).collect();
                    return Err(format!(
                        "unknown disposition {shown:?}; use one of {}",
                        crate::DISPOSITIONS.join(", ")
                    ));
                }
                match note {
                    Some(n) => short_len("note", n, MAX_WRAPUP_NOTE_CHARS),
                    None => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }
}

impl VisitorIdentity {
    /// Checks every field against `limits` (the SDK calls it too, so a
    /// site's developer hears of a bad identity at the call).
    pub fn validate(&self) -> Result<(), String> {
        for (name, value) in [
            ("id", &self.id),
            ("name", &self.name),
            ("email", &self.email),
        ] {
            if let Some(v) = value {
                short_len(name, v, MAX_SHORT_CHARS)?;
            }
        }
        if self.attributes.len() > MAX_ATTRIBUTES {
            return Err(format!("at most {MAX_ATTRIBUTES} attributes"));
        }
        for (k, v) in &self.attributes {
            short_len("attribute name", k, MAX_SHORT_CHARS)?;
            if !(v.is_string() || v.is_number() || v.is_boolean() || v.is_null()) {
                return Err(format!(
                    "attribute {k:?} must be a string, number or boolean"
                ));
            }
            if let Some(s) = v.as_str() {
                short_len("attribute value", s, MAX_SHORT_CHARS)?;
            }
        }
        Ok(())
    }
}

pub(crate) fn short_len(name: &str, value: &str, max: usize) -> Result<(), String> {
    if value.chars().count() > max {
        Err(format!("{name} is longer than {max} characters"))
    } else {
        Ok(())
    }
}

fn signal_size(signal: &Signal) -> Result<(), String> {
    match signal {
        Signal::Description { sdp, .. } if sdp.len() > MAX_SDP_BYTES => Err(format!(
            "sdp is {} bytes; the limit is {MAX_SDP_BYTES}",
            sdp.len()
        )),
        Signal::Candidate {
            candidate,
            sdp_mid,
            username_fragment,
            ..
        } => {
            short_len("candidate", candidate, MAX_CANDIDATE_CHARS)?;
            for (name, v) in [
                ("sdp_mid", sdp_mid),
                ("username_fragment", username_fragment),
            ] {
                if let Some(v) = v {
                    short_len(name, v, MAX_SHORT_CHARS)?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn message_text(text: &str) -> Result<(), String> {
    short_len("text", text, MAX_MESSAGE_CHARS)
}

/// Why a client frame was refused, with the request id when it could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    pub code: ErrorCode,
    pub message: String,
    pub rid: Option<u64>,
}

/// Just enough of a frame to classify what is wrong with it.
#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(default)]
    v: Option<serde_json::Value>,
    #[serde(default, borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(default)]
    rid: Option<serde_json::Value>,
}

/// Parses a client text frame, telling malformed JSON, an unsupported
/// version, an unknown type and invalid fields apart.
pub fn decode_client(text: &str) -> Result<ClientEnvelope, DecodeError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(DecodeError {
            code: ErrorCode::FrameTooLarge,
            message: format!(
                "frame is {} bytes; the limit is {MAX_FRAME_BYTES}",
                text.len()
            ),
            rid: None,
        });
    }
    let probe: Probe = serde_json::from_str(text).map_err(|e| DecodeError {
        code: ErrorCode::MalformedJson,
        message: format!("not a JSON object: {e}"),
        rid: None,
    })?;
    let rid = probe.rid.as_ref().and_then(|r| r.as_u64());
    let err = |code, message: String| DecodeError { code, message, rid };
    match probe.v.as_ref().and_then(|v| v.as_u64()) {
        Some(v) if v == VERSION as u64 => {}
        Some(v) => {
            return Err(err(
                ErrorCode::UnsupportedVersion,
                format!("version {v} is not supported; use {VERSION}"),
            ));
        }
        None => {
            return Err(err(
                ErrorCode::UnsupportedVersion,
                format!("missing protocol version \"v\"; use {VERSION}"),
            ));
        }
    }
    let kind = probe
        .kind
        .ok_or_else(|| err(ErrorCode::InvalidFrame, "missing \"type\"".into()))?;
    if !CLIENT_TYPES.contains(&kind.as_ref()) {
        let shown: String = kind.chars().take(40).collect();
        return Err(err(
            ErrorCode::UnknownType,
            format!("unknown message type {shown:?}"),
        ));
    }
    let env: ClientEnvelope = serde_json::from_str(text)
        .map_err(|e| err(ErrorCode::InvalidFrame, format!("invalid {kind}: {e}")))?;
    env.frame
        .validate()
        .map_err(|m| err(ErrorCode::InvalidFrame, m))?;
    Ok(env)
}

/// A frame from the server with its envelope fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerEnvelope {
    pub v: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rid: Option<u64>,
    #[serde(flatten)]
    pub frame: ServerFrame,
}

impl ServerEnvelope {
    pub fn new(frame: ServerFrame) -> Self {
        ServerEnvelope {
            v: VERSION,
            rid: None,
            frame,
        }
    }

    pub fn reply(rid: Option<u64>, frame: ServerFrame) -> Self {
        ServerEnvelope {
            v: VERSION,
            rid,
            frame,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("server frames always serialise")
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_chat_send() {
        let env = ClientEnvelope {
            v: 1,
            rid: Some(7),
            frame: ClientFrame::ChatSend {
                session: "s1".into(),
                client_id: Some("c1".into()),
                text: "Hello".into(),
            },
        };
        let json = env.to_json();
        assert!(json.contains("\"type\":\"chat.send\""), "{json}");
        assert_eq!(decode_client(&json).unwrap(), env);
    }

    #[test]
    fn classifies_bad_frames() {
        let code = |t: &str| decode_client(t).unwrap_err().code;
        assert_eq!(code("{not json"), ErrorCode::MalformedJson);
        assert_eq!(code("[1,2]"), ErrorCode::MalformedJson);
        assert_eq!(
            code(r#"{"v":2,"type":"hello"}"#),
            ErrorCode::UnsupportedVersion
        );
        assert_eq!(code(r#"{"type":"hello"}"#), ErrorCode::UnsupportedVersion);
        assert_eq!(code(r#"{"v":1,"type":"fly"}"#), ErrorCode::UnknownType);
        assert_eq!(
            code(r#"{"v":1,"type":"chat.send","session":"s"}"#),
            ErrorCode::InvalidFrame
        );
        let long = "x".repeat(crate::limits::MAX_MESSAGE_CHARS + 1);
        let frame = format!(r#"{{"v":1,"type":"chat.send","session":"s","text":"{long}"}}"#);
        assert_eq!(code(&frame), ErrorCode::InvalidFrame);
        let huge = format!(
            r#"{{"v":1,"type":"chat.send","session":"s","text":"{}"}}"#,
            "y".repeat(70_000)
        );
        assert_eq!(code(&huge), ErrorCode::FrameTooLarge);
    }

    #[test]
    fn transfer_names_exactly_one_target() {
        let code = |t: &str| decode_client(t).map(|_| ()).map_err(|e| e.code);
        assert_eq!(
            code(r#"{"v":1,"type":"session.transfer","session":"s"}"#),
            Err(ErrorCode::InvalidFrame)
        );
        assert_eq!(
            code(r#"{"v":1,"type":"session.transfer","session":"s","agent":"a","skill":"b"}"#),
            Err(ErrorCode::InvalidFrame)
        );
        assert_eq!(
            code(r#"{"v":1,"type":"session.transfer","session":"s","skill":"level2"}"#),
            Ok(())
        );
    }

    #[test]
    fn wrapups_name_a_known_disposition_and_a_short_note() {
        let decode = |t: &str| {
            decode_client(t)
                .map(|_| ())
                .map_err(|e| (e.code, e.message))
        };
        assert_eq!(
            decode(r#"{"v":1,"type":"session.wrapup","session":"s","disposition":"sale"}"#),
            Ok(())
        );
        let (code, message) =
            decode(r#"{"v":1,"type":"session.wrapup","session":"s","disposition":"won"}"#)
                .unwrap_err();
        assert_eq!(code, ErrorCode::InvalidFrame);
        assert!(
            message.contains("unknown disposition \"won\"") && message.contains("resolved"),
            "{message}"
        );
        let long = "n".repeat(MAX_WRAPUP_NOTE_CHARS + 1);
        let frame = format!(
            r#"{{"v":1,"type":"session.wrapup","session":"s","disposition":"spam","note":"{long}"}}"#
        );
        let (code, message) = decode(&frame).unwrap_err();
        assert_eq!(code, ErrorCode::InvalidFrame);
        assert!(message.contains("note is longer than"), "{message}");
    }

    #[test]
    fn rid_is_echoed_in_errors() {
        let e = decode_client(r#"{"v":1,"rid":42,"type":"nope"}"#).unwrap_err();
        assert_eq!(e.rid, Some(42));
    }

    #[test]
    fn identify_is_flat() {
        let t = r#"{"v":1,"type":"identify","id":"u1","name":"Ann","attributes":{"plan":"pro"}}"#;
        match decode_client(t).unwrap().frame {
            ClientFrame::Identify {
                identity,
                token,
                hash,
            } => {
                assert_eq!((token, hash), (None, None));
                assert_eq!(identity.id.as_deref(), Some("u1"));
                assert_eq!(identity.attributes["plan"], "pro");
            }
            other => panic!("{other:?}"),
        }
        // The token rides beside the identity; an oversized one is refused.
        let t = r#"{"v":1,"type":"identify","token":"h.p.s"}"#;
        assert!(matches!(
            decode_client(t).unwrap().frame,
            ClientFrame::Identify { token: Some(ref t), .. } if t == "h.p.s"
        ));
        let long = "x".repeat(MAX_IDENTITY_TOKEN_BYTES + 1);
        let t = format!(r#"{{"v":1,"type":"identify","token":"{long}"}}"#);
        let e = decode_client(&t).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidFrame);
        assert!(e.message.contains("token is longer than"), "{}", e.message);
    }

    #[test]
    fn every_client_type_is_listed() {
        // A new variant must be added to CLIENT_TYPES or it would be reported unknown.
        for frame in [
            ClientFrame::Hello {
                token: None,
                page: None,
            },
            ClientFrame::HelpRequest {
                topic: None,
                message: "m".into(),
                client_id: Some("c0".into()),
                page: None,
            },
            ClientFrame::HelpCancel {
                session: "s".into(),
            },
            ClientFrame::ChatSend {
                session: "s".into(),
                client_id: None,
                text: "t".into(),
            },
            ClientFrame::Typing {
                session: "s".into(),
                active: true,
            },
            ClientFrame::Receipt {
                session: "s".into(),
                kind: ReceiptKind::Read,
                seq: 1,
            },
            ClientFrame::SessionSync {
                session: "s".into(),
                after_seq: 0,
            },
            ClientFrame::SessionEnd {
                session: "s".into(),
            },
            ClientFrame::PageView {
                page: PageInfo {
                    url: "https://shop.test/a".into(),
                    title: String::new(),
                },
            },
            ClientFrame::Identify {
                identity: VisitorIdentity::default(),
                token: Some("h.p.s".into()),
                hash: Some("ab12".into()),
            },
            ClientFrame::PresenceSet {
                presence: AgentPresence::Online,
            },
            ClientFrame::QueueAccept {
                session: "s".into(),
            },
            ClientFrame::OfferDecline {
                session: "s".into(),
            },
            ClientFrame::CobrowseRequest {
                session: "s".into(),
            },
            ClientFrame::CobrowseStart {
                session: "s".into(),
            },
            ClientFrame::CobrowseDeny {
                session: "s".into(),
            },
            ClientFrame::CobrowseStop {
                session: "s".into(),
            },
            ClientFrame::CobrowseSubscribe {
                session: "s".into(),
                fresh: true,
            },
            ClientFrame::Pointer {
                session: "s".into(),
                node: Some(3),
                x: 0.5,
                y: 0.25,
            },
            ClientFrame::Pointer {
                session: "s".into(),
                node: None,
                x: 0.0,
                y: 0.0,
            },
            ClientFrame::Highlight {
                session: "s".into(),
                node: 3,
                label: Some("here".into()),
            },
            ClientFrame::HighlightClear {
                session: "s".into(),
            },
            ClientFrame::NoteAdd {
                session: "s".into(),
                text: "called back yesterday".into(),
            },
            ClientFrame::SessionTransfer {
                session: "s".into(),
                agent: Some("a_1".into()),
                skill: None,
                note: Some("wants a refund".into()),
            },
            ClientFrame::SessionTransfer {
                session: "s".into(),
                agent: None,
                skill: Some("level2".into()),
                note: None,
            },
            ClientFrame::CallStart {
                session: "s".into(),
            },
            ClientFrame::CallAccept {
                session: "s".into(),
                call: "c".into(),
            },
            ClientFrame::CallDecline {
                session: "s".into(),
                call: "c".into(),
            },
            ClientFrame::CallEnd {
                session: "s".into(),
                call: "c".into(),
                reason: Some(CallEndReason::Failed),
            },
            ClientFrame::CallSignal {
                session: "s".into(),
                call: "c".into(),
                signal: Signal::EndOfCandidates,
            },
            ClientFrame::CallMute {
                session: "s".into(),
                call: "c".into(),
                muted: true,
            },
            ClientFrame::CallCredentials {
                session: "s".into(),
                call: "c".into(),
            },
            ClientFrame::FormFieldsRequest {
                session: "s".into(),
            },
            ClientFrame::FormFields {
                session: "s".into(),
                url: "https://shop.test/a".into(),
                fields: vec![FormField {
                    node: 4,
                    name: "email".into(),
                    label: "Email".into(),
                    kind: crate::FieldKind::Email,
                    value: Some(crate::FieldValue::Text("a@b.c".into())),
                    options: vec![],
                    refused: None,
                }],
            },
            ClientFrame::FormPush {
                session: "s".into(),
                url: "https://shop.test/a".into(),
                fields: vec![FieldPush {
                    node: 4,
                    name: "email".into(),
                    value: crate::FieldValue::Text("a@b.c".into()),
                }],
            },
            ClientFrame::FormAnswer {
                session: "s".into(),
                push: 1,
                outcome: FormOutcome::Failed,
                applied: vec![],
                rejected: vec![],
                errors: vec![FieldError {
                    node: 4,
                    name: "email".into(),
                    reason: crate::FieldProblem::Gone,
                }],
            },
            ClientFrame::PagePush {
                session: "s".into(),
                url: "https://shop.test/b".into(),
                label: Some("Cart".into()),
            },
            ClientFrame::PageAnswer {
                session: "s".into(),
                push: 2,
                accepted: true,
            },
            ClientFrame::SessionWrapup {
                session: "s".into(),
                disposition: "resolved".into(),
                note: Some("refund sent".into()),
            },
        ] {
            let json = ClientEnvelope::new(frame.clone()).to_json();
            assert_eq!(decode_client(&json).unwrap().frame, frame, "{json}");
        }
    }
}
