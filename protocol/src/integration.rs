//! Bodies of the integration API under `/api/v1`: what a CRM, a help desk
//! or a data warehouse reads and writes with an API token (docs/api.md).
//! The console's own bodies are in `api`; errors of both are [`Problem`]s.

use serde::{Deserialize, Serialize};

use crate::api::{Agent, Customer, PageVisit, Wrapup};
use crate::{Callback, Event, Millis, SessionSummary, VisitorIdentity};

/// The body of every REST error answer (RFC 9457 problem details, sent as
/// `application/problem+json`), whatever its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI reference naming the kind of problem: `/api/v1/docs#problem-<code>`,
    /// the entry of the API reference that explains it.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem (the HTTP status's phrase).
    pub title: String,
    /// The HTTP status code, repeated for whoever logs only the body.
    pub status: u16,
    /// What went wrong this time, for people; its wording may change.
    pub detail: String,
    /// A stable code for programs, such as `forbidden` or `unknown_session`:
    /// the same codes as the wire protocol's errors (docs/protocol.md).
    pub code: String,
}

/// What an API token may do. Each scope includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Reads conversations, customers, agents, sites, the library, call-backs and figures.
    Read,
    /// Also changes the library.
    Write,
    /// Also manages API tokens, and exports and erases customers' data.
    Admin,
}

impl TokenScope {
    /// Every scope, narrowest first.
    pub const ALL: [TokenScope; 3] = [TokenScope::Read, TokenScope::Write, TokenScope::Admin];

    /// The scope's name on the wire and in the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
            TokenScope::Admin => "admin",
        }
    }

    /// The scope named `s` (as `as_str` writes it), if any.
    pub fn parse(s: &str) -> Option<TokenScope> {
        TokenScope::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// An API token as listed: everything but its secret, which is shown once
/// when it is made and stored only as a hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    /// The token's id (`tok_…`), used to revoke it; not a secret.
    pub id: String,
    /// What the admin called it ("CRM sync").
    pub name: String,
    /// What it may do.
    pub scope: TokenScope,
    /// When it was made (ms since the epoch).
    pub created_at: Millis,
    /// The id of the agent who made it; absent when made with the CLI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// When it was last used, to the minute; absent if never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<Millis>,
    /// When it was revoked; absent while it works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Millis>,
}

/// `POST /api/v1/tokens`: the token to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewApiToken {
    /// A name that says what uses it (1–100 characters, not blank).
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: String,
    /// What it may do.
    pub scope: TokenScope,
}

/// The answer to `POST /api/v1/tokens`: the only time the secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiTokenCreated {
    /// The token as it will be listed.
    pub token: ApiToken,
    /// The bearer secret (`tdm_…`), sent as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// `GET /api/v1/tokens`: every token, newest first, revoked ones included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiTokenList {
    /// The tokens.
    pub tokens: Vec<ApiToken>,
}

/// A conversation as lists show it: the session and its wrap-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversation {
    /// The session: site, visitor, state, agent, times, call-back.
    pub session: SessionSummary,
    /// The agent's latest wrap-up; `null` when there is none.
    pub wrapup: Option<Wrapup>,
}

/// `GET /api/v1/conversations`: one page, newest request first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationPage {
    /// The conversations of this page.
    pub conversations: Vec<Conversation>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/conversations/{id}`: one conversation in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationDetail {
    /// The session: site, visitor, state, agent, times, call-back.
    pub session: SessionSummary,
    /// The agent's latest wrap-up; `null` when there is none.
    pub wrapup: Option<Wrapup>,
    /// The whole log, oldest first: messages, agents' notes (`note`),
    /// transfers, sharing, calls, pushes and wrap-ups.
    pub events: Vec<Event>,
    /// The pages the visitor viewed from half an hour before asking until
    /// the end, oldest first: the page trail.
    pub pages: Vec<PageVisit>,
}

/// A customer (one visitor, i.e. one browser) with their conversations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerRecord {
    /// Who they are, and whether the site vouched for it.
    pub customer: Customer,
    /// The site they visit.
    pub site: String,
    /// Their conversations, newest first (at most 50), with those of every
    /// device the site verified as the same user.
    pub conversations: Vec<Conversation>,
}

/// `GET /api/v1/customers`: the customers a key found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerList {
    /// By site, then last seen.
    pub customers: Vec<CustomerRecord>,
}

/// Whether an agent account may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Signs in and takes chats.
    Active,
    /// Cannot sign in until enabled again.
    Disabled,
}

/// An agent account as the integration API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentAccount {
    /// The account: id, name, email, skills, capacity, roles.
    pub agent: Agent,
    /// Active or disabled (removed accounts are not listed).
    pub status: AccountStatus,
}

/// `GET /api/v1/agents`: every account not removed, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentList {
    /// The accounts.
    pub agents: Vec<AgentAccount>,
}

/// Who may start a voice call on a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VoiceSetting {
    /// No calls.
    Off,
    /// Agents may call visitors.
    Agent,
    /// Agents and visitors may start calls.
    Both,
}

/// A site as the integration API shows it (never its identity secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteInfo {
    /// The site's id, as the snippet names it.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// The origins its pages are served from.
    pub origins: Vec<String>,
    /// Who may start voice calls.
    pub voice: VoiceSetting,
    /// Opening hours (`mon-fri 09:00-18:00`); `null` for always open.
    pub hours: Option<String>,
    /// The IANA time zone of the hours; `null` for UTC.
    pub timezone: Option<String>,
    /// Longest estimated wait (s) before visitors are offered a call-back; `null` for none.
    pub max_wait_secs: Option<u32>,
    /// Days personal data is kept; `null` until erased by hand.
    pub retain_days: Option<u32>,
    /// The CRM page the console opens for an identified customer, as a
    /// template (`{external_id}`, `{email}`, …); `null` for none.
    #[serde(default)]
    pub screen_pop: Option<String>,
}

/// `GET /api/v1/sites`: every site, by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteList {
    /// The sites.
    pub sites: Vec<SiteInfo>,
}

/// A call-back or message left while nobody could answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallbackEntry {
    /// The session it belongs to; ended once an agent dealt with it.
    pub session: SessionSummary,
    /// How the visitor asked to hear back.
    pub callback: Callback,
    /// When agents start being offered it (ms since the epoch).
    pub due_at: Millis,
}

/// `GET /api/v1/callbacks`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallbackList {
    /// The call-backs.
    pub callbacks: Vec<CallbackEntry>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/figures/today`: the day's figures since midnight UTC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TodayFigures {
    /// Midnight UTC of the day (ms since the epoch).
    pub since: Millis,
    /// The answer time the service level counts against, in seconds.
    pub service_level_secs: i64,
    /// The figures.
    pub today: crate::api::DayFigures,
}

/// One conversation in an export: everything stored about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedSession {
    /// The session as lists show it.
    pub session: SessionSummary,
    /// The visitor's first message.
    pub first_message: String,
    /// The agent's wrap-up; `null` when there is none.
    pub wrapup: Option<Wrapup>,
    /// The whole log, oldest first.
    pub events: Vec<Event>,
}

/// One visitor (browser) of a person, in an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedVisitor {
    /// The visitor's id.
    pub id: String,
    /// The site they visited.
    pub site: String,
    /// What the site told about them.
    pub identity: VisitorIdentity,
    /// First seen (ms since the epoch).
    pub first_seen_at: Millis,
    /// Last seen (ms since the epoch).
    pub last_seen_at: Millis,
    /// Every page view kept, newest first.
    pub page_views: Vec<PageVisit>,
    /// Every conversation, newest first.
    pub sessions: Vec<ExportedSession>,
}

/// Everything stored about one person (`tandem visitor export`, and
/// `GET /api/v1/customers/{id}/export`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerExport {
    /// When the export was made (ms since the epoch).
    pub exported_at: Millis,
    /// The person's visitors: the one asked for and every device the site
    /// verified as the same user.
    pub visitors: Vec<ExportedVisitor>,
}

/// The answer to `DELETE /api/v1/customers/{id}`: what was erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureReply {
    /// Conversations kept as anonymous counts, their personal fields erased.
    pub sessions: u64,
    /// Log entries whose text was erased.
    pub events: u64,
    /// Page views deleted.
    pub page_views: u64,
    /// Visitor records deleted.
    pub visitors_deleted: u64,
    /// Visitor records kept without identity.
    pub visitors_anonymised: u64,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_problem_names_its_type_member_type() {
        let p = Problem {
            kind: "/api/v1/docs#problem-forbidden".into(),
            title: "Forbidden".into(),
            status: 403,
            detail: "no".into(),
            code: "forbidden".into(),
        };
        let sent = serde_json::to_value(&p).unwrap();
        assert_eq!(sent["type"], "/api/v1/docs#problem-forbidden");
        assert_eq!(serde_json::from_value::<Problem>(sent).unwrap(), p);
    }

    #[test]
    fn scopes_are_ordered_and_named() {
        assert!(TokenScope::Read < TokenScope::Write && TokenScope::Write < TokenScope::Admin);
        for s in TokenScope::ALL {
            assert_eq!(TokenScope::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), json!(s.as_str()));
        }
        assert_eq!(TokenScope::parse("root"), None);
    }
}
