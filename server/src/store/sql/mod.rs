//! The SQL both stores run. SQLite and Postgres both accept `$N` placeholders,
//! `RETURNING` and the same column types here, so the text is written once,
//! one file per table family, and `sql_store!` stamps it onto each pool type.
//! Each database keeps its own migrations folder, as their DDL differs.
//!
//! Each family's macro gives the store type inherent `…_sql` methods; the
//! `Store` impl below forwards every trait method to one of them, so it is
//! also the index of which file holds which statement.

pub(super) mod agent;
pub(super) mod api_token;
pub(super) mod conversation;
pub(super) mod event;
pub(super) mod library;
pub(super) mod personal;
pub(super) mod rows;
pub(super) mod schema;
pub(super) mod session;
pub(super) mod site;
pub(super) mod visitor;
pub(super) mod webhook;

/// Implements `Store` for a struct with a `pool` field of a sqlx pool type
/// (database `$db`, rows `$row`), a `webhooks` field (`outbox::Interest`),
/// a `MIGRATIONS: &[(i64, &str)]` and a
/// `BEGIN_WRITE: &str` associated constant, and a `write_events` method
/// (how the database appends a batch of events).
macro_rules! sql_store {
    ($store:ty, $row:ty, $db:ty) => {
        $crate::store::sql::schema::schema_sql!($store);
        $crate::store::sql::site::site_sql!($store);
        $crate::store::sql::agent::agent_sql!($store);
        $crate::store::sql::visitor::visitor_sql!($store);
        $crate::store::sql::personal::personal_sql!($store, $db);
        $crate::store::sql::library::library_sql!($store);
        $crate::store::sql::session::session_row_reader!($store, $row);
        $crate::store::sql::session::session_sql!($store);
        $crate::store::sql::event::event_sql!($store);
        $crate::store::sql::conversation::conversation_sql!($store);
        $crate::store::sql::api_token::api_token_sql!($store);
        $crate::store::sql::webhook::webhook_sql!($store);

        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            // sql/schema.rs
            async fn migrate(&self) -> $crate::store::Result<()> {
                self.migrate_sql().await
            }
            async fn ping(&self) -> $crate::store::Result<()> {
                self.ping_sql().await
            }
            async fn setting_or_insert(
                &self,
                key: &str,
                value: &str,
            ) -> $crate::store::Result<String> {
                self.setting_or_insert_sql(key, value).await
            }
            // sql/site.rs
            async fn upsert_site(
                &self,
                site: &$crate::store::Site,
                now: i64,
            ) -> $crate::store::Result<()> {
                self.upsert_site_sql(site, now).await
            }
            async fn site(&self, id: &str) -> $crate::store::Result<Option<$crate::store::Site>> {
                self.site_sql(id).await
            }
            async fn sites(&self) -> $crate::store::Result<Vec<$crate::store::Site>> {
                self.sites_sql().await
            }
            // sql/agent.rs
            async fn add_agent(
                &self,
                agent: &$crate::store::Agent,
                password_hash: &str,
                now: i64,
            ) -> $crate::store::Result<()> {
                self.add_agent_sql(agent, password_hash, now).await
            }
            async fn set_agent_password(
                &self,
                email: &str,
                password_hash: &str,
            ) -> $crate::store::Result<bool> {
                self.set_agent_password_sql(email, password_hash).await
            }
            async fn set_agent_roles(
                &self,
                email: &str,
                roles: &[protocol::api::AgentRole],
            ) -> $crate::store::Result<bool> {
                self.set_agent_roles_sql(email, roles).await
            }
            async fn set_agent_status(
                &self,
                email: &str,
                change: $crate::store::AgentStatus,
                now: i64,
            ) -> $crate::store::Result<Option<String>> {
                self.set_agent_status_sql(email, change, now).await
            }
            async fn agent_credentials(
                &self,
                email: &str,
            ) -> $crate::store::Result<Option<($crate::store::Agent, String)>> {
                self.agent_credentials_sql(email).await
            }
            async fn agents(
                &self,
            ) -> $crate::store::Result<Vec<($crate::store::Agent, $crate::store::AgentStatus)>>
            {
                self.agents_sql().await
            }
            async fn agent(&self, id: &str) -> $crate::store::Result<Option<$crate::store::Agent>> {
                self.agent_sql(id).await
            }
            async fn add_agent_token(
                &self,
                token_hash: &str,
                agent_id: &str,
                now: i64,
                expires_at: i64,
            ) -> $crate::store::Result<()> {
                self.add_agent_token_sql(token_hash, agent_id, now, expires_at)
                    .await
            }
            async fn agent_by_token(
                &self,
                token_hash: &str,
                now: i64,
            ) -> $crate::store::Result<Option<$crate::store::Agent>> {
                self.agent_by_token_sql(token_hash, now).await
            }
            async fn delete_agent_token(&self, token_hash: &str) -> $crate::store::Result<()> {
                self.delete_agent_token_sql(token_hash).await
            }
            async fn purge_expired_tokens(
                &self,
                now: i64,
                batch: u32,
            ) -> $crate::store::Result<u64> {
                self.purge_expired_tokens_sql(now, batch).await
            }
            async fn agent_token_states(
                &self,
                token_hashes: &[String],
            ) -> $crate::store::Result<Vec<$crate::store::TokenState>> {
                self.agent_token_states_sql(token_hashes).await
            }
            async fn agent_statuses(
                &self,
                agent_ids: &[String],
            ) -> $crate::store::Result<Vec<(String, $crate::store::AgentStatus)>> {
                self.agent_statuses_sql(agent_ids).await
            }
            async fn set_agent_presence(
                &self,
                agent_id: &str,
                presence: protocol::AgentPresence,
            ) -> $crate::store::Result<()> {
                self.set_agent_presence_sql(agent_id, presence).await
            }
            async fn agent_presence(
                &self,
                agent_id: &str,
            ) -> $crate::store::Result<Option<protocol::AgentPresence>> {
                self.agent_presence_sql(agent_id).await
            }
            // sql/visitor.rs
            async fn touch_visitor(
                &self,
                id: &str,
                site: &str,
                now: i64,
            ) -> $crate::store::Result<$crate::store::Visitor> {
                self.touch_visitor_sql(id, site, now).await
            }
            async fn set_visitor_identity(
                &self,
                id: &str,
                identity: &protocol::VisitorIdentity,
            ) -> $crate::store::Result<()> {
                self.set_visitor_identity_sql(id, identity).await
            }
            async fn visitor(
                &self,
                id: &str,
            ) -> $crate::store::Result<Option<$crate::store::Visitor>> {
                self.visitor_sql(id).await
            }
            async fn add_page_view(
                &self,
                visitor_id: &str,
                page: &protocol::PageInfo,
                at: i64,
            ) -> $crate::store::Result<()> {
                self.add_page_view_sql(visitor_id, page, at).await
            }
            async fn page_views(
                &self,
                visitor_id: &str,
                limit: u32,
            ) -> $crate::store::Result<Vec<(protocol::PageInfo, i64)>> {
                self.page_views_sql(visitor_id, limit).await
            }
            // sql/personal.rs
            async fn find_visitors(
                &self,
                key: &str,
                site: Option<&str>,
            ) -> $crate::store::Result<Vec<$crate::store::Visitor>> {
                self.find_visitors_sql(key, site).await
            }
            async fn linked_visitors(
                &self,
                visitor_id: &str,
            ) -> $crate::store::Result<Vec<$crate::store::Visitor>> {
                self.linked_visitors_sql(visitor_id).await
            }
            async fn erase_visitors(
                &self,
                visitor_ids: &[String],
                now: i64,
            ) -> $crate::store::Result<$crate::store::Erasure> {
                self.erase_visitors_sql(visitor_ids, now).await
            }
            async fn purge_site(
                &self,
                site: &str,
                cutoff: i64,
                now: i64,
                batch: u32,
            ) -> $crate::store::Result<$crate::store::Erasure> {
                self.purge_site_sql(site, cutoff, now, batch).await
            }
            // sql/library.rs
            async fn library(&self) -> $crate::store::Result<Vec<$crate::store::LibraryItem>> {
                self.library_sql().await
            }
            async fn put_library_item(
                &self,
                item: &$crate::store::LibraryItem,
                now: i64,
            ) -> $crate::store::Result<()> {
                self.put_library_item_sql(item, now).await
            }
            async fn delete_library_item(&self, id: &str) -> $crate::store::Result<bool> {
                self.delete_library_item_sql(id).await
            }
            // sql/session.rs
            async fn create_session(
                &self,
                s: &$crate::store::SessionRecord,
            ) -> $crate::store::Result<()> {
                self.create_session_sql(s).await
            }
            async fn update_session(
                &self,
                s: &$crate::store::SessionRecord,
            ) -> $crate::store::Result<()> {
                self.update_session_sql(s).await
            }
            async fn session(
                &self,
                id: &str,
            ) -> $crate::store::Result<Option<$crate::store::SessionRecord>> {
                self.session_sql(id).await
            }
            async fn open_sessions(
                &self,
            ) -> $crate::store::Result<Vec<$crate::store::SessionRecord>> {
                self.open_sessions_sql().await
            }
            async fn sessions_since(
                &self,
                since: i64,
            ) -> $crate::store::Result<Vec<$crate::store::SessionRecord>> {
                self.sessions_since_sql(since).await
            }
            async fn visitor_sessions(
                &self,
                visitor_id: &str,
                limit: u32,
            ) -> $crate::store::Result<Vec<$crate::store::SessionRecord>> {
                self.visitor_sessions_sql(visitor_id, limit).await
            }
            async fn customer_sessions(
                &self,
                visitor_id: &str,
                limit: u32,
            ) -> $crate::store::Result<Vec<$crate::store::SessionRecord>> {
                self.customer_sessions_sql(visitor_id, limit).await
            }
            async fn set_wrapup(
                &self,
                session_id: &str,
                w: &$crate::store::Wrapup,
            ) -> $crate::store::Result<bool> {
                self.set_wrapup_sql(session_id, w).await
            }
            // sql/conversation.rs
            async fn conversations(
                &self,
                filter: &$crate::store::ConversationFilter,
            ) -> $crate::store::Result<Vec<$crate::store::SessionRecord>> {
                self.conversations_sql(filter).await
            }
            // sql/api_token.rs
            async fn add_api_token(
                &self,
                token: &$crate::store::ApiToken,
                token_hash: &str,
            ) -> $crate::store::Result<()> {
                self.add_api_token_sql(token, token_hash).await
            }
            async fn api_tokens(&self) -> $crate::store::Result<Vec<$crate::store::ApiToken>> {
                self.api_tokens_sql().await
            }
            async fn api_token_by_hash(
                &self,
                token_hash: &str,
                now: i64,
            ) -> $crate::store::Result<Option<$crate::store::ApiToken>> {
                self.api_token_by_hash_sql(token_hash, now).await
            }
            async fn revoke_api_token(&self, id: &str, now: i64) -> $crate::store::Result<bool> {
                self.revoke_api_token_sql(id, now).await
            }
            async fn claim_idempotency_key(
                &self,
                owner: &str,
                key: &str,
                request_hash: &str,
                now: i64,
            ) -> $crate::store::Result<$crate::store::IdempotencyClaim> {
                self.claim_idempotency_key_sql(owner, key, request_hash, now)
                    .await
            }
            async fn finish_idempotency_key(
                &self,
                owner: &str,
                key: &str,
                outcome: Option<(u16, &str)>,
            ) -> $crate::store::Result<()> {
                self.finish_idempotency_key_sql(owner, key, outcome).await
            }
            async fn purge_idempotency_keys(
                &self,
                before: i64,
                batch: u32,
            ) -> $crate::store::Result<u64> {
                self.purge_idempotency_keys_sql(before, batch).await
            }
            // sql/webhook.rs
            async fn add_webhook(
                &self,
                webhook: &$crate::store::Webhook,
                secret: &str,
            ) -> $crate::store::Result<()> {
                self.add_webhook_sql(webhook, secret).await
            }
            async fn webhooks(
                &self,
            ) -> $crate::store::Result<Vec<($crate::store::Webhook, String)>> {
                self.webhooks_sql().await
            }
            async fn remove_webhook(&self, id: &str) -> $crate::store::Result<bool> {
                self.remove_webhook_sql(id).await
            }
            fn set_webhook_interest(&self, types: &[$crate::store::WebhookEventType]) {
                self.webhooks.set(types)
            }
            async fn webhook_outbox(
                &self,
                limit: u32,
            ) -> $crate::store::Result<Vec<$crate::store::outbox::OutboxEntry>> {
                self.webhook_outbox_sql(limit).await
            }
            async fn fan_out(
                &self,
                outbox_id: i64,
                deliveries: &[$crate::store::NewDelivery],
            ) -> $crate::store::Result<()> {
                self.fan_out_sql(outbox_id, deliveries).await
            }
            async fn due_deliveries(
                &self,
                now: i64,
                limit: u32,
            ) -> $crate::store::Result<Vec<$crate::store::DueDelivery>> {
                self.due_deliveries_sql(now, limit).await
            }
            async fn record_attempt(
                &self,
                id: &str,
                attempt: &$crate::store::Attempt,
            ) -> $crate::store::Result<()> {
                self.record_attempt_sql(id, attempt).await
            }
            async fn deliveries(
                &self,
                webhook_id: &str,
                limit: u32,
            ) -> $crate::store::Result<Vec<$crate::store::Delivery>> {
                self.deliveries_sql(webhook_id, limit).await
            }
            async fn redeliver(
                &self,
                webhook_id: &str,
                delivery_id: &str,
                now: i64,
                give_up_at: i64,
            ) -> $crate::store::Result<bool> {
                self.redeliver_sql(webhook_id, delivery_id, now, give_up_at)
                    .await
            }
            async fn purge_deliveries(
                &self,
                before: i64,
                batch: u32,
            ) -> $crate::store::Result<u64> {
                self.purge_deliveries_sql(before, batch).await
            }
            // sql/event.rs
            async fn append_events(
                &self,
                batch: &[(String, protocol::Event)],
            ) -> $crate::store::Result<()> {
                self.write_events(batch).await
            }
            fn fence_events(&self, epoch: Option<i64>) {
                self.set_fence(epoch)
            }
            async fn events_after(
                &self,
                session_id: &str,
                after_seq: u64,
                limit: u32,
            ) -> $crate::store::Result<Vec<protocol::Event>> {
                self.events_after_sql(session_id, after_seq, limit).await
            }
            async fn open_share_and_call_events(
                &self,
            ) -> $crate::store::Result<Vec<(String, protocol::Event)>> {
                self.open_share_and_call_events_sql().await
            }
        }
    };
}

pub(super) use sql_store;
