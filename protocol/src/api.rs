//! Bodies of the REST API under `/api/v1` that the server sends and the
//! console reads, declared once for both (docs/protocol.md, "REST"). Its
//! errors, and the integration API's bodies, are in `integration`.
//!
//! The server is the source of truth: every field it sends is here, also
//! those the console does not show. Fields a reader can do without carry
//! `#[serde(default)]`, so a console reading an answer that lacks one still
//! understands it. The server sends every object with its keys in
//! alphabetical order, whatever order the fields are declared in here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{AgentPresence, Event, Millis, SessionSummary, VisitorIdentity};

/// `POST /api/v1/login`: the credentials an agent signs in with. No `Debug`,
/// so the password cannot end up in a log.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// The account's email, compared case-insensitively.
    pub email: String,
    /// The account's password.
    pub password: String,
}

/// The answer to a successful `POST /api/v1/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginReply {
    /// The bearer token, also set as the HttpOnly `tandem_agent` cookie;
    /// scripts send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// Who the token signs in.
    pub agent: Agent,
}

/// `GET /api/v1/me`: the agent the request's token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeReply {
    /// The signed-in agent.
    pub agent: Agent,
}

/// What an account may do; an account may hold several. `agent` takes
/// chats; `supervisor` sees the team board; `admin` manages the library
/// (and, later, people and sites).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgentRole {
    /// Goes online, is offered requests, takes chats.
    Agent,
    /// Sees the team board and the day's figures.
    Supervisor,
    /// Manages the library (and, later, people, sites and tokens).
    Admin,
}

impl AgentRole {
    /// Every role, in order.
    pub const ALL: [AgentRole; 3] = [AgentRole::Agent, AgentRole::Supervisor, AgentRole::Admin];

    /// The role's name on the wire and in the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentRole::Agent => "agent",
            AgentRole::Supervisor => "supervisor",
            AgentRole::Admin => "admin",
        }
    }

    /// The role named `s` (as `as_str` writes it), if any.
    pub fn parse(s: &str) -> Option<AgentRole> {
        AgentRole::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// An agent account as the REST API shows it to that agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agent {
    /// The agent's id, as in `AgentInfo` of session summaries.
    pub id: String,
    /// The name visitors and colleagues see.
    pub name: String,
    /// The email the agent signs in with (lower-case).
    #[serde(default)]
    pub email: String,
    /// Skills the agent is routed requests for.
    #[serde(default)]
    pub skills: Vec<String>,
    /// How many sessions the agent serves at once at most.
    #[serde(default)]
    pub capacity: u32,
    /// What the account may do.
    #[serde(default)]
    pub roles: Vec<AgentRole>,
}

/// `GET /api/v1/sessions/{id}/transcript`, and each earlier conversation of
/// the customer panel: a session with its wrap-up and its log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transcript {
    /// The session as lists and headers show it.
    pub session: SessionSummary,
    /// The agent's latest wrap-up; `null` when there was none.
    #[serde(default)]
    pub wrapup: Option<Wrapup>,
    /// The session's events, oldest first (the customer panel keeps only
    /// messages, notes and wrap-ups).
    pub events: Vec<Event>,
}

/// How an agent closed a session off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Wrapup {
    /// A tag from [`crate::DISPOSITIONS`].
    pub disposition: String,
    /// The agent's free-text note; left out when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When the wrap-up was saved.
    #[serde(default)]
    pub at: Millis,
}

/// `GET /api/v1/sessions/{id}/customer`: the customer panel ("screen pop").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerReply {
    /// The visitor behind the session; `null` when their record is gone.
    pub visitor: Option<Customer>,
    /// This visit's pages, newest first.
    #[serde(default)]
    pub pages: Vec<PageVisit>,
    /// Earlier conversations, newest first, with their messages, notes and
    /// wrap-ups only.
    #[serde(default)]
    pub previous: Vec<Transcript>,
    /// The customer's page in the site's CRM (its screen pop); absent when
    /// the site has none or the visitor is not identified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_pop: Option<String>,
}

/// The visitor behind a session, as the customer panel shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    /// The visitor's id.
    pub id: String,
    /// Who they said they are, and whether the site vouched for it.
    pub identity: VisitorIdentity,
    /// When this visitor was first seen.
    pub first_seen_at: Millis,
    /// When this visitor was last seen.
    #[serde(default)]
    pub last_seen_at: Millis,
}

/// A page of the current visit and when it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageVisit {
    /// The page's address.
    pub url: String,
    /// The page's title; empty when it had none.
    #[serde(default)]
    pub title: String,
    /// When the visitor viewed it.
    pub at: Millis,
}

/// `GET /api/v1/library`: every item of the agents' library, by title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LibraryReply {
    /// The canned responses and articles.
    pub items: Vec<LibraryItem>,
}

/// `POST /api/v1/library`: the item as stored, its id given and its fields
/// tidied (shortcut and keywords lower-case, keywords deduplicated).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LibraryItemReply {
    /// The stored item.
    pub item: LibraryItem,
}

/// A canned response (`shortcut` set) or a knowledge-base article; also the
/// body of `POST /api/v1/library`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LibraryItem {
    /// Empty in a new item: the server gives it one.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub id: String,
    /// Canned response or article.
    pub kind: LibraryKind,
    /// What an agent types after `/` in the composer to insert a canned
    /// response (stored in lower case); absent for articles. A canned
    /// response sent without one gets one made from its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^(/?[A-Za-z0-9_-]{1,32})?$"))]
    pub shortcut: Option<String>,
    /// A short name for lists (≤ 200 characters, not blank).
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub title: String,
    /// The text sent to the visitor (canned) or shown to the agent (article);
    /// ≤ 4,000 characters, not blank.
    #[cfg_attr(feature = "openapi", schema(max_length = 4000, pattern = r"\S"))]
    pub body: String,
    /// A link to the full article (http or https); empty when there is none.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 2048, pattern = r"^(https?://.*)?$")
    )]
    pub url: String,
    /// Words that, in what the visitor writes, suggest this article (≤ 20,
    /// each ≤ 40 characters; compared in lower case).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = keywords_schema))]
    pub keywords: Vec<String>,
}

/// `LibraryItem.keywords` as its schema says it: the limits of each word too.
#[cfg(feature = "openapi")]
fn keywords_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::String).max_length(Some(40)))
        .max_items(Some(20))
        .description(Some(
            "Words that, in what the visitor writes, suggest this article (≤ 20, each ≤ 40 characters)",
        ))
        .build()
}

/// What a library item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LibraryKind {
    /// A canned response, expanded from its `/shortcut` in the composer.
    Canned,
    /// A knowledge-base article, suggested when its keywords match.
    Article,
}

impl LibraryKind {
    /// The kind as it is spelled on the wire: `canned` or `article`.
    pub fn as_str(self) -> &'static str {
        match self {
            LibraryKind::Canned => "canned",
            LibraryKind::Article => "article",
        }
    }
}

/// `GET /api/v1/supervisor`: the day's figures and the live state of queues
/// and agents (docs/operations.md, "Supervisor figures").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupervisorReply {
    /// Seconds within which an answered request counts as served in time.
    pub service_level_secs: i64,
    /// The figures of the day so far (UTC day).
    pub today: DayFigures,
    /// Queues, agents and sessions now.
    pub live: LiveFigures,
}

/// `GET /api/v1/agents`: every colleague's presence and load, for any agent
/// (whom to transfer a chat to). The team's figures are the supervisor's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RosterReply {
    /// Every agent, as in `LiveFigures::agents`.
    pub agents: Vec<AgentStatus>,
}

/// A day's contact-centre figures, computed from its sessions.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayFigures {
    /// Requests made in the period.
    pub offered: u32,
    /// Requests an agent accepted.
    pub answered: u32,
    /// Requests that ended while still waiting (the visitor gave up).
    pub abandoned: u32,
    /// Requests still waiting.
    pub waiting: u32,
    /// Answered within the threshold ÷ (answered + abandoned), 0..=1;
    /// `null` when nothing was answered or abandoned yet.
    pub service_level: Option<f64>,
    /// Mean wait from request to accept over answered requests, in seconds.
    pub average_speed_of_answer_secs: Option<f64>,
    /// Abandoned ÷ (answered + abandoned), 0..=1.
    pub abandonment_rate: Option<f64>,
    /// Mean time from accept to end over answered sessions that ended, in
    /// seconds.
    pub average_handle_time_secs: Option<f64>,
    /// Sessions wrapped up with each disposition tag (every tag listed, 0
    /// included).
    #[serde(default)]
    pub dispositions: BTreeMap<String, u32>,
}

/// The live state for supervisors (and `/metrics`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveFigures {
    /// Waiting requests by skill ("general" for requests without one).
    pub queues: BTreeMap<String, SkillQueue>,
    /// Every agent with their presence and load, by name.
    pub agents: Vec<AgentStatus>,
    /// Sessions an agent is serving now.
    pub active_sessions: u32,
    /// Visitor connections open now.
    #[serde(default)]
    pub visitors_connected: u32,
}

/// The waiting requests for one skill.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkillQueue {
    /// How many requests wait.
    pub waiting: u32,
    /// How long the oldest of them has waited, in seconds.
    pub longest_wait_secs: i64,
}

/// One agent as supervisors (and the transfer dialog) see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentStatus {
    /// The agent's id.
    pub id: String,
    /// The agent's name.
    pub name: String,
    /// The availability the agent set.
    pub presence: AgentPresence,
    /// Whether a console of theirs is connected.
    pub connected: bool,
    /// Sessions they serve now.
    pub open: u32,
    /// Most sessions they serve at once.
    pub capacity: u32,
    /// Skills they are routed requests for.
    #[serde(default)]
    pub skills: Vec<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// What the console reads back is what the server sent: parsing an
    /// answer and writing it again gives the same JSON.
    fn round_trips<T: Serialize + serde::de::DeserializeOwned>(sent: Value) {
        let read: T = serde_json::from_value(sent.clone()).unwrap();
        assert_eq!(serde_json::to_value(&read).unwrap(), sent);
    }

    #[test]
    fn answers_read_back_as_sent() {
        let agent = json!({"id": "a1", "name": "Ana", "email": "ana@example.com",
            "skills": ["billing"], "capacity": 3, "roles": ["agent", "admin"]});
        round_trips::<LoginReply>(json!({"token": "t", "agent": agent}));
        round_trips::<MeReply>(json!({"agent": agent}));
        let session = json!({"id": "s1", "site": "shop", "state": "ended", "visitor_id": "v1",
            "requested_at": 5, "last_seq": 2, "share": "off"});
        round_trips::<CustomerReply>(json!({
            "visitor": {"id": "v1", "identity": {"name": "Kim", "verified": false},
                "first_seen_at": 1, "last_seen_at": 9},
            "pages": [{"url": "https://shop.example/", "title": "", "at": 8}],
            "previous": [
                {"session": session, "wrapup": {"disposition": "resolved", "at": 7}, "events": []},
                {"session": session, "wrapup": null, "events": []},
            ],
        }));
        round_trips::<SupervisorReply>(json!({
            "service_level_secs": 60,
            "today": {"offered": 2, "answered": 1, "abandoned": 1, "waiting": 0,
                "service_level": 0.5, "average_speed_of_answer_secs": 12.0,
                "abandonment_rate": 0.5, "average_handle_time_secs": null,
                "dispositions": {"resolved": 1}},
            "live": {"queues": {"general": {"waiting": 1, "longest_wait_secs": 4}},
                "agents": [{"id": "a1", "name": "Ana", "presence": "online", "connected": true,
                    "open": 1, "capacity": 3, "skills": []}],
                "active_sessions": 1, "visitors_connected": 2},
        }));
        round_trips::<RosterReply>(json!({"agents": [{"id": "a1", "name": "Ana",
            "presence": "away", "connected": false, "open": 0, "capacity": 3, "skills": ["billing"]}]}));
        round_trips::<LibraryReply>(json!({"items": [
            {"id": "k1", "kind": "canned", "shortcut": "hi", "title": "Hi", "body": "Hello",
                "url": "", "keywords": []},
            {"id": "k2", "kind": "article", "title": "Returns", "body": "…",
                "url": "https://shop.example/returns", "keywords": ["refund"]},
        ]}));
    }

    /// Fields the console can do without may be missing from what it reads.
    #[test]
    fn optional_fields_default() {
        let me: MeReply =
            serde_json::from_value(json!({"agent": {"id": "a1", "name": "Ana"}})).unwrap();
        assert_eq!((me.agent.email.as_str(), me.agent.capacity), ("", 0));
        let w: Wrapup = serde_json::from_value(json!({"disposition": "sale"})).unwrap();
        assert_eq!((w.note, w.at), (None, 0));
    }
}
