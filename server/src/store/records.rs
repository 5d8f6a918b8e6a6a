//! The records the store keeps and hands back: sites, agents and their
//! tokens, visitors, sessions with their wrap-ups, library items, and what
//! an erasure removed. Both backends read and write these.

use protocol::{
    AgentInfo, Millis, PageInfo, Receipts, Role, SessionState, SessionSummary, VisitorIdentity,
};

/// A website that embeds the widget, and the origins its pages are served from.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub origins: Vec<String>,
    /// Who may start voice calls in this site's sessions.
    pub voice: VoicePolicy,
    /// Opening hours (see `routing::hours`) and their IANA time zone.
    pub hours: Option<String>,
    pub timezone: Option<String>,
    /// Longest estimated wait, in seconds, before waiting visitors are
    /// offered to leave a message or be called back.
    pub max_wait_secs: Option<u32>,
    /// Days personal data is kept after a conversation ends or a visitor was
    /// last seen (see docs/privacy.md); `None` keeps it until erased by hand.
    pub retain_days: Option<u32>,
    /// Whether `identify` may still verify with the bare HMAC of the user id
    /// (replayable forever once seen) instead of an expiring signed token.
    /// Off unless an operator turns it on (see docs/security.md).
    pub legacy_identity_hash: bool,
    /// The CRM's page for a customer, as a template (see `screen_pop`);
    /// `None` for none.
    pub screen_pop: Option<String>,
}

impl Site {
    /// A site named after its id, with no origin yet and default settings.
    pub fn new(id: &str) -> Site {
        Site {
            id: id.to_string(),
            name: id.to_string(),
            origins: vec![],
            voice: VoicePolicy::default(),
            hours: None,
            timezone: None,
            max_wait_secs: None,
            retain_days: None,
            legacy_identity_hash: false,
            screen_pop: None,
        }
    }
}

/// Who may start a voice call on a site. Whoever starts it, the other side
/// must accept before any audio flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VoicePolicy {
    /// No calls at all.
    Off,
    /// Agents may call visitors (the default).
    #[default]
    Agent,
    /// Agents and visitors may start calls.
    Both,
}

impl VoicePolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            VoicePolicy::Off => "off",
            VoicePolicy::Agent => "agent",
            VoicePolicy::Both => "both",
        }
    }

    /// Whether someone in `role` may start a call.
    pub fn allows(self, role: Role) -> bool {
        match self {
            VoicePolicy::Off => false,
            VoicePolicy::Agent => role == Role::Agent,
            VoicePolicy::Both => matches!(role, Role::Agent | Role::Visitor),
        }
    }
}

impl std::str::FromStr for VoicePolicy {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "off" => Ok(VoicePolicy::Off),
            "agent" => Ok(VoicePolicy::Agent),
            "both" => Ok(VoicePolicy::Both),
            other => Err(format!("{other:?} is not one of off, agent, both")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Agent {
    pub id: String,
    pub email: String,
    pub name: String,
    pub skills: Vec<String>,
    pub capacity: u32,
    /// What the account may do (at least one role).
    pub roles: Vec<protocol::api::AgentRole>,
}

impl Agent {
    pub fn has_role(&self, role: protocol::api::AgentRole) -> bool {
        self.roles.contains(&role)
    }

    pub fn info(&self) -> AgentInfo {
        AgentInfo {
            id: self.id.clone(),
            name: self.name.clone(),
        }
    }
}

/// Whether an agent account may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentStatus {
    Active,
    /// Cannot log in until enabled again.
    Disabled,
    /// Gone for good; the row stays so history still names them.
    Removed,
}

/// What the store holds about an agent token a live socket was opened with.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenState {
    pub token_hash: String,
    pub agent_id: String,
    pub expires_at: Millis,
    pub agent: AgentStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Visitor {
    pub id: String,
    pub site: String,
    pub identity: VisitorIdentity,
    pub created_at: Millis,
    pub last_seen_at: Millis,
}

/// A session as stored: the summary clients see plus what only the server keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub id: String,
    pub site: String,
    pub visitor_id: String,
    pub visitor_name: Option<String>,
    pub state: SessionState,
    pub topic: Option<String>,
    pub first_message: String,
    pub page: Option<PageInfo>,
    pub agent: Option<AgentInfo>,
    pub requested_at: Millis,
    pub accepted_at: Option<Millis>,
    pub ended_at: Option<Millis>,
    pub ended_by: Option<Role>,
    pub last_seq: u64,
    pub receipts: Receipts,
    /// A message or call back asked for while nobody could answer.
    pub callback: Option<protocol::Callback>,
    /// The agent's latest wrap-up, once the session has ended and was wrapped up.
    /// Agents-only: never part of the summary visitors receive.
    pub wrapup: Option<Wrapup>,
}

impl SessionRecord {
    pub fn summary(&self) -> SessionSummary {
        SessionSummary {
            visitor_presence: None,
            id: self.id.clone(),
            site: self.site.clone(),
            state: self.state,
            visitor_id: self.visitor_id.clone(),
            visitor_name: self.visitor_name.clone(),
            topic: self.topic.clone(),
            agent: self.agent.clone(),
            page: self.page.clone(),
            requested_at: self.requested_at,
            accepted_at: self.accepted_at,
            ended_at: self.ended_at,
            last_seq: self.last_seq,
            // Sharing and calls live in the hub, not in storage.
            share: protocol::ShareState::Off,
            call: None,
            callback: self.callback.clone(),
        }
    }
}

/// What one erasure or one round of retention removed, by kind of row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Erasure {
    /// Sessions whose personal fields and event texts were erased (the rows stay).
    pub sessions: u64,
    /// Events rewritten (see `personal::erased_event`).
    pub events: u64,
    pub page_views: u64,
    /// Visitor rows deleted.
    pub visitors_deleted: u64,
    /// Visitor rows kept (their sessions point at them) with the identity cleared.
    pub visitors_anonymised: u64,
}

impl Erasure {
    /// Whether any kind reached `batch`, so another round may find more.
    pub fn filled(&self, batch: u32) -> bool {
        let b = u64::from(batch);
        self.sessions >= b
            || self.events >= b
            || self.page_views >= b
            || self.visitors_deleted >= b
            || self.visitors_anonymised >= b
    }

    pub fn add(&mut self, o: Erasure) {
        self.sessions += o.sessions;
        self.events += o.events;
        self.page_views += o.page_views;
        self.visitors_deleted += o.visitors_deleted;
        self.visitors_anonymised += o.visitors_anonymised;
    }

    pub fn is_empty(&self) -> bool {
        *self == Erasure::default()
    }
}

pub use protocol::api::{LibraryItem, LibraryKind, Wrapup};

/// Which sessions `Store::conversations` lists: every filter given must
/// match. Newest request first; `after` continues a listing past the
/// session it names (its request time and id).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConversationFilter {
    /// Requested at or after.
    pub from: Option<Millis>,
    /// Requested before.
    pub to: Option<Millis>,
    pub site: Option<String>,
    /// The agent who serves or served it.
    pub agent: Option<String>,
    pub state: Option<protocol::SessionState>,
    /// The wrap-up's disposition.
    pub disposition: Option<String>,
    /// Only sessions with a call-back or message left.
    pub callbacks_only: bool,
    pub after: Option<(Millis, String)>,
    pub limit: u32,
}

/// What the store knew of an `Idempotency-Key` when a request claimed it.
#[derive(Debug, Clone, PartialEq)]
pub enum IdempotencyClaim {
    /// First use: the request goes ahead, then `finish_idempotency_key`.
    New,
    /// Another request with this key is still being answered.
    InFlight { request_hash: String },
    /// Answered before: replay this answer (if the request is the same).
    Done {
        request_hash: String,
        status: u16,
        body: String,
    },
}

pub use protocol::integration::{ApiToken, TokenScope};

/// A delivery to make, as the dispatcher fans an event out.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDelivery {
    pub id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: protocol::webhook::WebhookEventType,
    /// The JSON sent, the same bytes on every attempt.
    pub body: String,
    pub created_at: Millis,
    pub give_up_at: Millis,
}

/// A delivery whose next attempt is due, with where and how to send it.
#[derive(Debug, Clone, PartialEq)]
pub struct DueDelivery {
    pub id: String,
    pub url: String,
    pub secret: String,
    pub event_id: String,
    pub event_type: protocol::webhook::WebhookEventType,
    pub body: String,
    pub attempts: u32,
    pub give_up_at: Millis,
}

/// How one attempt went, and what comes next.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// The endpoint's status, if it answered.
    pub status: Option<u16>,
    /// Why it failed, if it did.
    pub error: Option<String>,
    pub next: AttemptNext,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AttemptNext {
    Delivered(Millis),
    RetryAt(Millis),
    GiveUp,
}

pub use protocol::webhook::{Delivery, Webhook, WebhookEventType};
