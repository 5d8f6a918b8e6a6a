//! The `Store` trait: everything Tandem keeps, as one short transaction a
//! method. SQLite (sqlite.rs) and Postgres (postgres.rs) implement it with
//! the same SQL (sql/).

use async_trait::async_trait;
use protocol::{AgentPresence, Event, Millis, PageInfo, VisitorIdentity};

use super::error::Result;
use super::outbox::OutboxEntry;
use super::records::{
    Agent, AgentStatus, ApiToken, Attempt, ConversationFilter, Delivery, DueDelivery, Erasure,
    IdempotencyClaim, LibraryItem, NewDelivery, SessionRecord, Site, TokenState, Visitor, Webhook,
    WebhookEventType, Wrapup,
};

/// Everything Tandem keeps. Implementations must be safe to share between
/// tasks; every method is one short transaction.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Creates or upgrades the schema.
    async fn migrate(&self) -> Result<()>;

    /// One round trip to the database (`/readyz`): fails when it cannot answer.
    async fn ping(&self) -> Result<()>;

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
    /// Replaces what the agent with this email may do; false if no agent
    /// (not removed) has that email. Open sockets keep the roles they
    /// signed in with until they reconnect; REST requests see the change at once.
    async fn set_agent_roles(
        &self,
        email: &str,
        roles: &[protocol::api::AgentRole],
    ) -> Result<bool>;
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
    /// Every account not removed, with its status, by name.
    async fn agents(&self) -> Result<Vec<(Agent, AgentStatus)>>;

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
    /// Keeps the presence an agent chose, for after a restart.
    async fn set_agent_presence(&self, agent_id: &str, presence: AgentPresence) -> Result<()>;
    /// The presence the agent last chose; `None` if they never chose one
    /// (or there is no such agent).
    async fn agent_presence(&self, agent_id: &str) -> Result<Option<AgentPresence>>;

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
    /// Appends only while this node holds the cluster's core lease at
    /// `epoch` (`Fenced` otherwise); `None` lifts the check. Postgres only:
    /// SQLite runs a single node and ignores it.
    fn fence_events(&self, epoch: Option<i64>);
    /// Events with seq > `after_seq`, oldest first, at most `limit`.
    async fn events_after(
        &self,
        session_id: &str,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<Event>>;
    /// The `share` and `call` entries of every session not ended, by session
    /// and in log order: a restarted hub reads from them whether each was
    /// being shared and whether a call was cut.
    async fn open_share_and_call_events(&self) -> Result<Vec<(String, Event)>>;

    /// Sessions matching `filter` (see `ConversationFilter`), newest request first.
    async fn conversations(&self, filter: &ConversationFilter) -> Result<Vec<SessionRecord>>;

    /// Stores a new API token under the hash of its secret;
    /// `Conflict("token")` if the id or hash is taken.
    async fn add_api_token(&self, token: &ApiToken, token_hash: &str) -> Result<()>;
    /// Every API token, newest first, revoked ones included.
    async fn api_tokens(&self) -> Result<Vec<ApiToken>>;
    /// The unrevoked token whose secret hashes to `token_hash`; records the
    /// use (to the minute) as `last_used_at`.
    async fn api_token_by_hash(&self, token_hash: &str, now: Millis) -> Result<Option<ApiToken>>;
    /// False if there is no such token or it was already revoked.
    async fn revoke_api_token(&self, id: &str, now: Millis) -> Result<bool>;
    /// Claims `key` of `owner` for a request (`request_hash` tells a retry
    /// from a different request), or says who has it (see `IdempotencyClaim`).
    async fn claim_idempotency_key(
        &self,
        owner: &str,
        key: &str,
        request_hash: &str,
        now: Millis,
    ) -> Result<IdempotencyClaim>;
    /// Keeps the answer (status and body) of a claimed key, or with `None`
    /// frees the key so a retry runs again (the request failed on our side).
    async fn finish_idempotency_key(
        &self,
        owner: &str,
        key: &str,
        outcome: Option<(u16, &str)>,
    ) -> Result<()>;
    /// Deletes at most `batch` keys claimed before `before`; returns how many.
    async fn purge_idempotency_keys(&self, before: Millis, batch: u32) -> Result<u64>;

    /// Stores a subscription with its signing secret.
    async fn add_webhook(&self, webhook: &Webhook, secret: &str) -> Result<()>;
    /// Every subscription with its secret, newest first.
    async fn webhooks(&self) -> Result<Vec<(Webhook, String)>>;
    /// Removes a subscription and its deliveries; false if there was none.
    async fn remove_webhook(&self, id: &str) -> Result<bool>;
    /// Which log entries (and identity changes) `append_events` and
    /// `set_visitor_identity` put in the webhook outbox, in their own
    /// transaction: those these event types need (store/outbox.rs).
    fn set_webhook_interest(&self, types: &[WebhookEventType]);
    /// The oldest outbox rows, at most `limit`.
    async fn webhook_outbox(&self, limit: u32) -> Result<Vec<OutboxEntry>>;
    /// Turns outbox row `outbox_id` into these deliveries, in one transaction
    /// (a delivery of the same event to the same subscription is made once).
    async fn fan_out(&self, outbox_id: i64, deliveries: &[NewDelivery]) -> Result<()>;
    /// Pending deliveries due at `now`, soonest first, at most `limit`.
    async fn due_deliveries(&self, now: Millis, limit: u32) -> Result<Vec<DueDelivery>>;
    /// Records one attempt of a delivery and what comes next.
    async fn record_attempt(&self, id: &str, attempt: &Attempt) -> Result<()>;
    /// A subscription's deliveries, newest first, at most `limit`.
    async fn deliveries(&self, webhook_id: &str, limit: u32) -> Result<Vec<Delivery>>;
    /// Makes a delivery pending again, due at `now`, given up at
    /// `give_up_at`; false if the subscription has no such delivery.
    async fn redeliver(
        &self,
        webhook_id: &str,
        delivery_id: &str,
        now: Millis,
        give_up_at: Millis,
    ) -> Result<bool>;
    /// Deletes at most `batch` finished deliveries made before `before`.
    async fn purge_deliveries(&self, before: Millis, batch: u32) -> Result<u64>;
}
