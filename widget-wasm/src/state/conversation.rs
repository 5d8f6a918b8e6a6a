//! The conversation ([`Conversation`]) and how each server frame changes
//! it: the session's summary, the log's events, the place in line, the
//! receipts. The transcript itself is kept by `chat.rs`; sharing and calls
//! follow their own frames in `cobrowse.rs` and `call.rs`.

use protocol::{
    AgentInfo, CallInfo, CallPhase, Callback, Event, EventBody, Millis, Receipts, SessionState,
    SessionSummary, ShareState, Unavailable,
};

use super::chat::{Applied, ItemBody, Transcript};
use super::queue::{PendingRequest, Place};
use super::session::{Phase, Status};

#[derive(Debug, Clone)]
pub struct Conversation {
    pub session: Option<String>,
    pub phase: Phase,
    /// Where the waiting request stands, from the last `queue.position`.
    pub place: Option<Place>,
    /// The message or call back the visitor asked for instead of waiting.
    pub callback: Option<Callback>,
    pub agent: Option<AgentInfo>,
    /// The log as shown, with its receipts.
    pub transcript: Transcript,
    pub request: Option<PendingRequest>,
    /// The visitor pressed "End chat" while offline; sent on reconnect.
    pub end_requested: bool,
    /// Whether the visitor's screen is shared in this session, as the
    /// server last said (or as the visitor just decided).
    pub share: ShareState,
    /// The session's voice call while it rings or is active.
    pub call: Option<CallInfo>,
    /// Sessions the visitor walked away from (cancelled, or "start a new
    /// chat"): late frames about them must not pull the widget back.
    dismissed: Vec<String>,
    /// A place in line for a session we did not know yet (the server may
    /// send it before `welcome`), applied if we adopt that session.
    stray_place: Option<(String, Place)>,
}

impl Default for Conversation {
    fn default() -> Self {
        Conversation {
            session: None,
            phase: Phase::Idle,
            place: None,
            callback: None,
            agent: None,
            transcript: Transcript::default(),
            request: None,
            end_requested: false,
            share: ShareState::Off,
            call: None,
            dismissed: Vec::new(),
            stray_place: None,
        }
    }
}

impl Conversation {
    /// Back to the start form, forgetting the previous transcript.
    pub fn reset(&mut self) {
        let dismissed = std::mem::take(&mut self.dismissed);
        *self = Conversation {
            dismissed,
            ..Conversation::default()
        };
    }

    /// Leaves the current session for good and goes back to the start form.
    /// Returns the session left, if there was one.
    pub fn dismiss(&mut self) -> Option<String> {
        let left = self.session.take();
        if let Some(id) = &left {
            self.dismissed.push(id.clone());
        }
        self.reset();
        left
    }

    pub fn status(&self) -> Status {
        Status {
            phase: self.phase,
            position: self.waiting_place().map(|p| p.position),
            eta_secs: self.waiting_place().and_then(|p| p.eta_secs),
            unavailable: self.unavailable(),
            callback: match (&self.callback, self.phase) {
                (Some(c), Phase::Queued) => Some(match c {
                    Callback::Message { .. } => "message",
                    Callback::Phone { .. } => "phone",
                    Callback::Browser => "browser",
                }),
                _ => None,
            },
            agent: match self.phase {
                Phase::Active | Phase::Ended => self.agent.as_ref().map(|a| a.name.clone()),
                _ => None,
            },
        }
    }

    /// The visitor asked for help: show their message at once and wait.
    pub fn request_help(
        &mut self,
        topic: Option<String>,
        message: String,
        client_id: String,
        now: Millis,
    ) {
        self.reset();
        self.phase = Phase::Queued;
        self.transcript
            .add_own(client_id, message.clone(), now, true);
        self.request = Some(PendingRequest {
            topic,
            message,
            sent: false,
        });
    }

    /// A `session` frame. Returns whether it concerns our conversation (it
    /// was ours already, or we adopted it because it was opened elsewhere,
    /// e.g. in another tab, while we had nothing open).
    pub fn apply_summary(&mut self, s: &SessionSummary) -> bool {
        if self.dismissed.contains(&s.id) {
            return false;
        }
        let ours = match &self.session {
            Some(id) => *id == s.id,
            // An answer to our own request, or a session opened in another tab.
            None => {
                s.state != SessionState::Ended
                    && (self.request.is_some() || !self.phase.has_session())
            }
        };
        if !ours {
            if s.state == SessionState::Ended || self.phase.has_session() {
                return false;
            }
            // Our old session is over and a new one exists: follow it.
            self.reset();
        }
        if self.session.is_none() {
            self.adopt(&s.id);
        }
        self.request = None;
        // `last_seq` of a summary can run ahead of our log; never move back
        // from ended, which only a new session can leave.
        if self.phase != Phase::Ended || s.state == SessionState::Ended {
            self.phase = Phase::from_session(s.state);
        }
        if let Some(agent) = &s.agent {
            self.agent = Some(agent.clone());
        }
        self.share = s.share;
        self.callback.clone_from(&s.callback);
        self.call = s.call.clone().filter(|c| c.phase != CallPhase::Ended);
        if self.phase == Phase::Ended {
            self.fail_pending();
            self.share = ShareState::Off;
            self.call = None;
        }
        true
    }

    pub fn is_dismissed(&self, session: &str) -> bool {
        self.dismissed.iter().any(|d| d == session)
    }

    pub fn apply_place(&mut self, session: &str, place: Place) -> bool {
        if self.session.is_none() {
            self.stray_place = Some((session.to_string(), place));
        }
        if self.session.as_deref() != Some(session) {
            return false;
        }
        self.place = Some(place);
        true
    }

    /// The place in line while waiting live (not once a call back is booked).
    pub fn waiting_place(&self) -> Option<Place> {
        self.place
            .filter(|_| self.phase == Phase::Queued && self.callback.is_none())
    }

    /// Why nobody can answer soon, while that matters: waiting live.
    pub fn unavailable(&self) -> Option<Unavailable> {
        self.waiting_place().and_then(|p| p.unavailable)
    }

    pub fn apply_receipts(&mut self, session: &str, r: &Receipts) -> bool {
        if self.session.as_deref() != Some(session) {
            return false;
        }
        self.transcript.apply_receipts(r)
    }

    /// One event of our session's log, live or from `history`.
    pub fn apply_event(&mut self, session: &str, ev: &Event) -> Applied {
        if self.session.is_none() && self.request.is_some() && !self.is_dismissed(session) {
            // The server numbers the request's first events before it sends
            // the `session` frame: the first event names our new session.
            self.adopt(session);
            self.request = None;
        }
        if self.session.as_deref() != Some(session) {
            return Applied::Duplicate;
        }
        if !self.transcript.note(ev) {
            return Applied::Duplicate;
        }
        match &ev.body {
            EventBody::Requested { .. } => Applied::Other,
            EventBody::Share { action, by } => {
                let body = ItemBody::Share { action: *action };
                self.transcript
                    .add_notice_by(ev, body, *by, self.agent.as_ref());
                Applied::Other
            }
            // The agent's highlights show on the page itself; agents' private
            // entries arrive redacted and only keep the numbering whole.
            EventBody::Highlight { .. }
            | EventBody::Redacted
            | EventBody::Note { .. }
            | EventBody::Wrapup { .. } => Applied::Other,
            EventBody::Transferred { to, .. } => {
                if let Some(to) = to {
                    self.agent = Some(to.clone());
                }
                let to = to.as_ref().map(|a| a.name.clone());
                self.transcript.add_notice(ev, ItemBody::Transferred { to });
                Applied::Other
            }
            // The waiting box tells what was booked (see `waiting_place`).
            EventBody::Callback { callback } => {
                if self.phase == Phase::Queued {
                    self.callback = Some(callback.clone());
                }
                Applied::Other
            }
            // Pushes show in their own prompt.
            EventBody::FormPush { .. }
            | EventBody::FormAnswer { .. }
            | EventBody::PagePush { .. }
            | EventBody::PageAnswer { .. } => Applied::Other,
            EventBody::Message { text, client_id } => {
                let index = self
                    .transcript
                    .apply_message(ev, text, client_id.as_deref());
                Applied::Message { index }
            }
            EventBody::AgentJoined { agent_id, name } => {
                self.agent = Some(AgentInfo {
                    id: agent_id.clone(),
                    name: name.clone(),
                });
                if self.phase == Phase::Queued {
                    self.phase = Phase::Active;
                }
                self.transcript
                    .add_notice(ev, ItemBody::AgentJoined { name: name.clone() });
                Applied::Other
            }
            EventBody::Call {
                action,
                by,
                duration_ms,
                reason,
                ..
            } => {
                let body = ItemBody::Call {
                    action: *action,
                    by: *by,
                    duration_ms: *duration_ms,
                    reason: *reason,
                };
                self.transcript
                    .add_notice_by(ev, body, *by, self.agent.as_ref());
                Applied::Other
            }
            EventBody::Ended { by } => {
                self.phase = Phase::Ended;
                self.share = ShareState::Off;
                self.call = None;
                self.fail_pending();
                self.transcript.add_notice(ev, ItemBody::Ended { by: *by });
                Applied::Other
            }
        }
    }

    fn adopt(&mut self, session: &str) {
        self.session = Some(session.to_string());
        if let Some((id, place)) = self.stray_place.take()
            && id == session
        {
            self.place = Some(place);
        }
    }

    fn fail_pending(&mut self) {
        self.transcript.fail_pending();
        self.request = None;
    }
}
