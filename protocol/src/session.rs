//! Who takes part in a session, what state it is in, and what agents see of
//! the waiting queue.

use serde::{Deserialize, Serialize};

use crate::Millis;
use crate::limits::{
    MAX_ATTRIBUTES, MAX_SHORT_CHARS, MAX_URL_CHARS, MAX_WRAPUP_NOTE_CHARS, message_text, short_len,
};

/// Lifecycle of a help request: waiting in the queue, being served, closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Waiting for an agent: in the queue, as a call back, or outside a full line.
    Queued,
    /// An agent took it and is serving it.
    Active,
    /// Closed; only its last agent's wrap-up may still be recorded.
    Ended,
}

impl SessionState {
    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::Queued => "queued",
            SessionState::Active => "active",
            SessionState::Ended => "ended",
        }
    }

    /// The state named `s` on the wire; `None` for any other string.
    pub fn parse(s: &str) -> Option<SessionState> {
        match s {
            "queued" => Some(SessionState::Queued),
            "active" => Some(SessionState::Active),
            "ended" => Some(SessionState::Ended),
            _ => None,
        }
    }
}

/// An agent's availability as the agent set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgentPresence {
    /// Available: receives the queue and the distributor's offers.
    Online,
    /// Taking no new requests for now: no queue, no offers.
    Away,
    /// Not taking requests; an agent's presence until they set one.
    #[default]
    Offline,
}

impl AgentPresence {
    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentPresence::Online => "online",
            AgentPresence::Away => "away",
            AgentPresence::Offline => "offline",
        }
    }

    /// The presence named `s` on the wire; `None` for any other string.
    pub fn parse(s: &str) -> Option<AgentPresence> {
        [
            AgentPresence::Online,
            AgentPresence::Away,
            AgentPresence::Offline,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// The page a visitor is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageInfo {
    /// The page's address (≤ 2,048 characters); only http(s) URLs are kept.
    pub url: String,
    /// The document's title (≤ 200 characters); empty when it has none.
    #[serde(default)]
    pub title: String,
}

impl PageInfo {
    /// Checks the URL and title against their limits (not whether the URL
    /// is a web page: see [`PageInfo::is_web`]).
    pub(crate) fn validate(&self) -> Result<(), String> {
        short_len("page.url", &self.url, MAX_URL_CHARS)?;
        short_len("page.title", &self.title, MAX_SHORT_CHARS)
    }

    /// Whether the page is a web page worth keeping: an absolute http(s) URL
    /// with a host, within `limits::MAX_URL_CHARS`, without whitespace or
    /// control characters. Anything else (`javascript:`, `data:`, `file:`…)
    /// is never stored nor shown to agents, where it would be a link.
    pub fn is_web(&self) -> bool {
        self.url.chars().count() <= MAX_URL_CHARS
            && !self
                .url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
            && crate::form::http_origin(&self.url).is_some()
    }
}

/// What the site told us about the visitor through `Tandem.identify`.
/// `verified` stays false until the site proves the identity (see the
/// customer-panel issue); unverified identities are shown as such.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitorIdentity {
    /// The site's own id for the user (≤ 200 characters); absent when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The user's display name (≤ 200 characters); absent when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The user's email address (≤ 200 characters); absent when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whatever else the site shares (plan, orders…): at most 50, scalar
    /// values only; absent when empty.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// Set by the server once a token (or a legacy hash) proved the identity;
    /// a value sent by the page is ignored.
    #[serde(default)]
    pub verified: bool,
}

/// An agent as other participants see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentInfo {
    /// The agent's id, as `session.transfer` names them.
    pub id: String,
    /// The agent's display name.
    pub name: String,
}

/// Everything a client needs to show a session in a list or a header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionSummary {
    /// The session's id, as every frame about it names it.
    pub id: String,
    /// The id of the site the visitor asked from.
    pub site: String,
    /// Queued, active or ended.
    pub state: SessionState,
    /// The id of the visitor who asked.
    pub visitor_id: String,
    /// The visitor's name from `identify`; absent when they gave none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_name: Option<String>,
    /// The topic of the request, or the skill it was transferred to; absent for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The agent serving it (or who served it, once ended); absent while it waits for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentInfo>,
    /// The page the visitor asked from; absent when none came or it was not a web page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<PageInfo>,
    /// When the visitor asked for help.
    pub requested_at: Millis,
    /// When an agent took it (ms since the epoch); absent until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<Millis>,
    /// When it ended (ms since the epoch); absent while it is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Millis>,
    /// Sequence number of the newest event in the session's log.
    pub last_seq: u64,
    /// Whether the visitor's screen is shared.
    #[serde(default)]
    pub share: crate::ShareState,
    /// The session's voice call while it rings or is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<crate::CallInfo>,
    /// How the visitor asked to hear back when nobody could answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<crate::Callback>,
    /// Whether the visitor is on the page, has it in a background tab, or
    /// left, and since when; absent when the server does not know (an
    /// ended or stored session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_presence: Option<VisitorSeen>,
}

/// Where the visitor is, as their agent sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VisitorPresence {
    /// A page of the site is open and in front.
    Here,
    /// The page is open in a tab or window in the background.
    Background,
    /// No page of the site is connected.
    Gone,
}

/// A visitor's presence and when it began (ms since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitorSeen {
    /// Here, in the background, or gone.
    pub presence: VisitorPresence,
    /// Since when.
    pub since: Millis,
}

/// A waiting request as agents see it in their queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueItem {
    /// The waiting session's id, for `queue.accept`.
    pub session: String,
    /// The id of the visitor who asked.
    pub visitor_id: String,
    /// The visitor's name from `identify`; absent when they gave none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_name: Option<String>,
    /// The topic the visitor picked, or the skill it was transferred to; absent for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The message the visitor asked with.
    pub first_message: String,
    /// The page the visitor asked from; absent when none came or it was not a web page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<PageInfo>,
    /// When the visitor asked for help (ms since the epoch); a transfer keeps it.
    pub requested_at: Millis,
    /// A message or call-back request instead of a live wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<crate::Callback>,
    /// When the distributor starts offering it (a booked call back); absent
    /// when it is due now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<Millis>,
    /// The customer's page in the site's CRM (its screen pop), which the
    /// console opens when the agent accepts; absent when the site has none
    /// or the visitor is not identified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_pop: Option<String>,
}

/// The disposition tags an agent chooses from when wrapping up a session,
/// in the order the console offers them. Sent to agents in `welcome` so the
/// console never hardcodes them; the server refuses any other tag.
pub const DISPOSITIONS: &[&str] = &[
    "resolved",
    "follow_up",
    "escalated",
    "sale",
    "no_response",
    "spam",
];

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

/// A transfer names exactly one target, an agent or a non-blank skill.
pub(crate) fn validate_transfer(
    agent: &Option<String>,
    skill: &Option<String>,
    note: &Option<String>,
) -> Result<(), String> {
    match (agent, skill) {
        (Some(a), None) => short_len("agent", a, MAX_SHORT_CHARS)?,
        (None, Some(s)) if !s.trim().is_empty() => short_len("skill", s, MAX_SHORT_CHARS)?,
        _ => return Err("name either an agent or a skill to transfer to".into()),
    }
    note.as_deref().map_or(Ok(()), message_text)
}

/// A wrap-up carries one of [`DISPOSITIONS`] and a short optional note.
pub(crate) fn validate_wrapup(disposition: &str, note: &Option<String>) -> Result<(), String> {
    if !DISPOSITIONS.contains(&disposition) {
        let shown: String = disposition.chars().take(40).collect();
        return Err(format!(
            "unknown disposition {shown:?}; use one of {}",
            DISPOSITIONS.join(", ")
        ));
    }
    match note {
        Some(n) => short_len("note", n, MAX_WRAPUP_NOTE_CHARS),
        None => Ok(()),
    }
}

#[cfg(test)]
mod page_tests {
    use super::PageInfo;

    fn page(url: &str) -> PageInfo {
        PageInfo {
            url: url.into(),
            title: String::new(),
        }
    }

    #[test]
    fn only_http_and_https_pages_are_web_pages() {
        assert!(page("https://shop.test/cart?x=1").is_web());
        assert!(page("HTTP://shop.test").is_web());
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "https://",
            "https://user@evil.test/",
            "https://shop.test/a b",
            "https://shop.test/\n",
            "//shop.test/cart",
        ] {
            assert!(!page(bad).is_web(), "{bad}");
        }
        let long = format!(
            "https://shop.test/{}",
            "a".repeat(crate::limits::MAX_URL_CHARS)
        );
        assert!(!page(&long).is_web());
    }
}
