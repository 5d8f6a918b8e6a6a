//! The session as the visitor sees it: where they are in the help flow
//! ([`Phase`]) and what the SDK's `status` event reports ([`Status`]).

use protocol::{SessionState, Unavailable};

/// Where the visitor is in the help flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No request yet: the start form.
    Idle,
    /// Asked for help, waiting for an agent (or for the server to answer).
    Queued,
    /// Chatting with an agent.
    Active,
    /// The session is closed; the transcript stays visible.
    Ended,
}

impl Phase {
    /// The name used in the SDK's `status` event and in `data-phase`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Queued => "queued",
            Phase::Active => "active",
            Phase::Ended => "ended",
        }
    }

    pub(super) fn from_session(state: SessionState) -> Phase {
        match state {
            SessionState::Queued => Phase::Queued,
            SessionState::Active => Phase::Active,
            SessionState::Ended => Phase::Ended,
        }
    }

    pub fn has_session(self) -> bool {
        matches!(self, Phase::Queued | Phase::Active)
    }
}

/// What the SDK's `status` event reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub phase: Phase,
    pub position: Option<u32>,
    pub eta_secs: Option<u32>,
    pub unavailable: Option<Unavailable>,
    /// The kind of call back booked while waiting (`message`, `phone`, `browser`).
    pub callback: Option<&'static str>,
    pub agent: Option<String>,
}
