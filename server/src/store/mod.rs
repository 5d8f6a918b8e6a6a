//! Persistence. One `Store` trait, two real implementations (SQLite for a
//! single machine, Postgres across several) that share their SQL text and are
//! checked by one test suite (tests/tests/store.rs).

pub mod batch;
pub mod personal;
mod personal_sql;
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
    /// Erasure refused: this session of the person has not ended, and the
    /// server holding it live would keep (and write back) what it knows.
    #[error("session {0} has not ended yet")]
    SessionOpen(String),
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
    /// Days personal data is kept after a conversation ends or a visitor was
    /// last seen (see docs/privacy.md); `None` keeps it until erased by hand.
    pub retain_days: Option<u32>,
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
            retain_days: None,
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
    /// Every site, by id.
    async fn sites(&self) -> Result<Vec<Site>>;

    /// Adds an agent; `Conflict("agent")` if the email is taken (also by a
    /// removed agent: the row stays for history).
    async fn add_agent(&self, agent: &Agent, password_hash: &str, now: Millis) -> Result<()>;
    /// Replaces an agent's password and revokes every token of theirs, in one
    /// transaction; false if no agent (not removed) has that email.
    async fn set_agent_password(&self, email: &str, password_hash: &str) -> Result<bool>;
    /// Disables, enables or removes the agent with this email. Disabling
    /// deletes every token of theirs in the same transaction; a removed
    /// agent's tokens are dead too, as no lookup accepts a removed agent's.
    /// The agent's id, or `None` if no agent (not removed) has that email.
    async fn set_agent_status(
        &self,
        email: &str,
        change: AgentStatus,
        now: Millis,
    ) -> Result<Option<String>>;
    /// The agent with this email and their password hash, for login; `None`
    /// for a disabled or removed agent as for an unknown email.
    async fn agent_credentials(&self, email: &str) -> Result<Option<(Agent, String)>>;
    async fn agent(&self, id: &str) -> Result<Option<Agent>>;

    async fn add_agent_token(
        &self,
        token_hash: &str,
        agent_id: &str,
        now: Millis,
        expires_at: Millis,
    ) -> Result<()>;
    /// The agent owning an unexpired token, if they are neither disabled nor removed.
    async fn agent_by_token(&self, token_hash: &str, now: Millis) -> Result<Option<Agent>>;
    async fn delete_agent_token(&self, token_hash: &str) -> Result<()>;
    /// Deletes at most `batch` tokens expired at `now`; returns how many.
    async fn purge_expired_tokens(&self, now: Millis, batch: u32) -> Result<u64>;
    /// Of these token hashes, the ones still stored, with their expiry and
    /// their agent's status (a missing hash was revoked). One query however
    /// many: live sockets re-check their tokens with it.
    async fn agent_token_states(&self, token_hashes: &[String]) -> Result<Vec<TokenState>>;
    /// The status of each of these agents that exists, in one query however many.
    async fn agent_statuses(&self, agent_ids: &[String]) -> Result<Vec<(String, AgentStatus)>>;

    /// Creates the visitor on first sight, refreshes `last_seen_at` afterwards.
    async fn touch_visitor(&self, id: &str, site: &str, now: Millis) -> Result<Visitor>;
    /// Stores the identity; a verified one also links the visitor to the
    /// site's user id (see `customer_sessions`), anything else unlinks it.
    async fn set_visitor_identity(&self, id: &str, identity: &VisitorIdentity) -> Result<()>;
    async fn visitor(&self, id: &str) -> Result<Option<Visitor>>;
    /// Visitors whose id, email (in any case) or site user id (verified or
    /// not) is `key`, or who left it as a call-back's email or phone number
    /// (compared as `personal::contact_key`), of `site` when given; by site,
    /// then last seen.
    async fn find_visitors(&self, key: &str, site: Option<&str>) -> Result<Vec<Visitor>>;
    /// The visitor and every visitor (device) of its site verified as the
    /// same user; just the visitor while unverified. Empty if unknown.
    async fn linked_visitors(&self, visitor_id: &str) -> Result<Vec<Visitor>>;
    /// Erases everything personal held about these visitors (one person's
    /// devices), in one transaction: their sessions lose visitor name,
    /// topic, first message, page, call-back contact, wrap-up note and the
    /// text of their events (`personal::erased_event`) and move to a new
    /// anonymous visitor of the same site, so they still count in their
    /// day's figures but lead back to nobody; page views and the visitor
    /// rows are deleted. `SessionOpen` (and nothing erased) if one of their
    /// sessions has not ended.
    async fn erase_visitors(&self, visitor_ids: &[String], now: Millis) -> Result<Erasure>;
    /// One bounded round of a site's retention, for data older than
    /// `cutoff`: sessions ended before it are erased as `erase_visitors`
    /// erases them (they keep their visitor), at most `batch` of them and
    /// no more once their events reach `batch` (one session's events at
    /// least, so every round makes progress); at most
    /// `batch` page views seen before it are deleted, and of visitors last
    /// seen before it, at most `batch` without sessions are deleted and at
    /// most `batch` with only ended sessions lose their identity. Each call
    /// is one short transaction; call again while `Erasure::filled`.
    async fn purge_site(
        &self,
        site: &str,
        cutoff: Millis,
        now: Millis,
        batch: u32,
    ) -> Result<Erasure>;

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
    /// Records (or replaces) a session's wrap-up; false if there is no such
    /// session, or it was erased (its note would outlive the erasure).
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
