//! Persistence. One `Store` trait, two real implementations (SQLite for a
//! single machine, Postgres across several) that share their SQL text and are
//! checked by one test suite (tests/tests/store.rs).

pub mod batch;
mod postgres;
mod sql;
mod sqlite;
mod sqlite_events;

use std::sync::Arc;

use async_trait::async_trait;
use protocol::{
    AgentInfo, Event, Millis, PageInfo, Receipts, Role, SessionState, SessionSummary,
    VisitorIdentity,
};

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A unique constraint failed; the string names what already exists.
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("unsupported database URL {0:?}: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the event writer has stopped")]
    WriterStopped,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

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
    /// Whether `identify` may still verify with the bare HMAC of the user id
    /// (replayable forever once seen) instead of an expiring signed token.
    /// Off unless an operator turns it on (see docs/security.md).
    pub legacy_identity_hash: bool,
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
            legacy_identity_hash: false,
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

/// A canned response (`shortcut` set) or a knowledge-base article.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LibraryItem {
    /// Empty in a new item: the server gives it one.
    #[serde(default)]
    pub id: String,
    pub kind: LibraryKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortcut: Option<String>,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LibraryKind {
    Canned,
    Article,
}

impl LibraryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LibraryKind::Canned => "canned",
            LibraryKind::Article => "article",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Agent {
    pub id: String,
    pub email: String,
    pub name: String,
    pub skills: Vec<String>,
    pub capacity: u32,
}

impl Agent {
    pub fn info(&self) -> AgentInfo {
        AgentInfo {
            id: self.id.clone(),
            name: self.name.clone(),
        }
    }
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

/// How an agent closed a session off: a tag from `protocol::DISPOSITIONS`
/// and an optional note.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Wrapup {
    pub disposition: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub at: Millis,
}

impl SessionRecord {
    pub fn summary(&self) -> SessionSummary {
        SessionSummary {
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

/// Everything Tandem keeps. Implementations must be safe to share between
/// tasks; every method is one short transaction.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Creates or upgrades the schema.
    async fn migrate(&self) -> Result<()>;

    /// Returns the stored value for `key`, storing `value` first if there was none.
    /// Used for server-wide secrets so every node of a cluster agrees.
    async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String>;

    async fn upsert_site(&self, site: &Site, now: Millis) -> Result<()>;
    async fn site(&self, id: &str) -> Result<Option<Site>>;

    /// Adds an agent; `Conflict("agent")` if the email is taken.
    async fn add_agent(&self, agent: &Agent, password_hash: &str, now: Millis) -> Result<()>;
    /// Replaces an agent's password; false if no agent has that email.
    async fn set_agent_password(&self, email: &str, password_hash: &str) -> Result<bool>;
    /// The agent with this email and their password hash, for login.
    async fn agent_credentials(&self, email: &str) -> Result<Option<(Agent, String)>>;
    async fn agent(&self, id: &str) -> Result<Option<Agent>>;

    async fn add_agent_token(
        &self,
        token_hash: &str,
        agent_id: &str,
        now: Millis,
        expires_at: Millis,
    ) -> Result<()>;
    /// The agent owning an unexpired token.
    async fn agent_by_token(&self, token_hash: &str, now: Millis) -> Result<Option<Agent>>;
    async fn delete_agent_token(&self, token_hash: &str) -> Result<()>;

    /// Creates the visitor on first sight, refreshes `last_seen_at` afterwards.
    async fn touch_visitor(&self, id: &str, site: &str, now: Millis) -> Result<Visitor>;
    /// Stores the identity; a verified one also links the visitor to the
    /// site's user id (see `customer_sessions`), anything else unlinks it.
    async fn set_visitor_identity(&self, id: &str, identity: &VisitorIdentity) -> Result<()>;
    async fn visitor(&self, id: &str) -> Result<Option<Visitor>>;

    /// The agents' library (canned responses and articles), by title.
    async fn library(&self) -> Result<Vec<LibraryItem>>;
    /// Adds or replaces an item; `Conflict("shortcut")` if another item has its shortcut.
    async fn put_library_item(&self, item: &LibraryItem, now: Millis) -> Result<()>;
    /// False if there was no such item.
    async fn delete_library_item(&self, id: &str) -> Result<bool>;
    async fn add_page_view(&self, visitor_id: &str, page: &PageInfo, at: Millis) -> Result<()>;
    /// The visitor's page views, newest first.
    async fn page_views(&self, visitor_id: &str, limit: u32) -> Result<Vec<(PageInfo, Millis)>>;

    async fn create_session(&self, session: &SessionRecord) -> Result<()>;
    /// Writes the mutable parts: state, agent, times, receipts.
    async fn update_session(&self, session: &SessionRecord) -> Result<()>;
    async fn session(&self, id: &str) -> Result<Option<SessionRecord>>;
    /// Every session not yet ended, oldest request first.
    async fn open_sessions(&self) -> Result<Vec<SessionRecord>>;
    /// Sessions requested at or after `since`, oldest first (for the day's figures).
    async fn sessions_since(&self, since: Millis) -> Result<Vec<SessionRecord>>;
    /// A visitor's sessions, newest first.
    async fn visitor_sessions(&self, visitor_id: &str, limit: u32) -> Result<Vec<SessionRecord>>;
    /// The customer's sessions, newest first: those of every visitor (device)
    /// of the same site verified as the same user as `visitor_id`, or only
    /// the visitor's own while their identity is not verified.
    async fn customer_sessions(&self, visitor_id: &str, limit: u32) -> Result<Vec<SessionRecord>>;
    /// Records (or replaces) a session's wrap-up; false if there is no such session.
    async fn set_wrapup(&self, session_id: &str, wrapup: &Wrapup) -> Result<bool>;

    /// Appends events (of one or several sessions) in one transaction: one
    /// commit for a whole batch is what lets the server persist every
    /// message at a high rate. A session's `last_seq` is its highest stored
    /// event's.
    /// `Conflict("event")` if a seq is already taken; then nothing is written.
    async fn append_events(&self, batch: &[(String, Event)]) -> Result<()>;
    /// Events with seq > `after_seq`, oldest first, at most `limit`.
    async fn events_after(
        &self,
        session_id: &str,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<Event>>;
}

/// Opens the store a URL names and brings its schema up to date.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = if url.starts_with("sqlite:") {
        Arc::new(SqliteStore::connect(url).await?)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Arc::new(PostgresStore::connect(url).await?)
    } else {
        return Err(StoreError::UnsupportedUrl(url.to_string()));
    };
    store.migrate().await?;
    Ok(store)
}
