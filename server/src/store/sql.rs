//! The SQL both stores run. SQLite and Postgres both accept `$N` placeholders,
//! `RETURNING` and the same column types here, so the text is written once and
//! the `sql_store!` macro stamps it onto each pool type. Each database keeps
//! its own migrations folder, as their DDL differs.

use protocol::{AgentInfo, Event, PageInfo, Receipts, Role, SessionState, VisitorIdentity};

use super::{
    Agent, AgentStatus, Result, SessionRecord, Site, StoreError, TokenState, Visitor, Wrapup,
};

pub(super) const SESSION_SELECT: &str = "SELECT s.id, s.site_id, s.visitor_id, s.state, s.topic, s.first_message, \
     s.page_url, s.page_title, s.agent_id, a.name AS agent_name, s.requested_at, s.accepted_at, s.ended_at, \
     s.ended_by, COALESCE((SELECT MAX(e.seq) FROM events e WHERE e.session_id = s.id), 0) AS last_seq, s.callback, s.visitor_delivered, s.visitor_read, s.agent_delivered, s.agent_read, \
     s.disposition, s.wrapup_note, s.wrapped_up_at, v.identity AS visitor_identity \
     FROM sessions s JOIN visitors v ON v.id = s.visitor_id LEFT JOIN agents a ON a.id = s.agent_id";

pub(super) const AGENT_COLUMNS: &str = "id, email, name, skills, capacity";

/// Maps a unique-constraint failure to `Conflict(what)`, anything else through.
pub(super) fn conflict(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(e),
    }
}

pub(super) fn json_list(s: &str) -> Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("list column: {e}")))
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serialises")
}

/// Column values of one `sessions` row joined as in [`SESSION_SELECT`],
/// gathered by the per-database row reader so decoding is written once.
pub(super) struct SessionRow {
    pub id: String,
    pub site_id: String,
    pub visitor_id: String,
    pub state: String,
    pub topic: Option<String>,
    pub first_message: String,
    pub page_url: Option<String>,
    pub page_title: Option<String>,
    pub agent_id: Option<String>,
    pub agent_name: Option<String>,
    pub requested_at: i64,
    pub accepted_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub ended_by: Option<String>,
    pub last_seq: i64,
    pub callback: Option<String>,
    pub receipts: [i64; 4],
    pub disposition: Option<String>,
    pub wrapup_note: Option<String>,
    pub wrapped_up_at: Option<i64>,
    pub visitor_identity: String,
}

impl SessionRow {
    pub fn into_record(self) -> Result<SessionRecord> {
        let identity: VisitorIdentity = serde_json::from_str(&self.visitor_identity)
            .map_err(|e| StoreError::Corrupt(format!("visitor identity: {e}")))?;
        let [vd, vr, ad, ar] = self.receipts.map(|n| n.max(0) as u64);
        let callback = self
            .callback
            .map(|c| serde_json::from_str(&c))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("session callback: {e}")))?;
        let wrapup = match (self.disposition, self.wrapped_up_at) {
            (Some(disposition), Some(at)) => Some(Wrapup {
                disposition,
                note: self.wrapup_note,
                at,
            }),
            _ => None,
        };
        Ok(SessionRecord {
            callback,
            wrapup,
            state: SessionState::parse(&self.state)
                .ok_or_else(|| StoreError::Corrupt(format!("session state {:?}", self.state)))?,
            page: self.page_url.map(|url| PageInfo {
                url,
                title: self.page_title.unwrap_or_default(),
            }),
            agent: match (self.agent_id, self.agent_name) {
                (Some(id), Some(name)) => Some(AgentInfo { id, name }),
                _ => None,
            },
            ended_by: self.ended_by.as_deref().and_then(Role::parse),
            id: self.id,
            site: self.site_id,
            visitor_id: self.visitor_id,
            visitor_name: identity.name,
            topic: self.topic,
            first_message: self.first_message,
            requested_at: self.requested_at,
            accepted_at: self.accepted_at,
            ended_at: self.ended_at,
            last_seq: self.last_seq.max(0) as u64,
            receipts: Receipts {
                visitor_delivered: vd,
                visitor_read: vr,
                agent_delivered: ad,
                agent_read: ar,
            },
        })
    }
}

pub(super) fn agent_from(
    id: String,
    email: String,
    name: String,
    skills: String,
    capacity: i64,
) -> Result<Agent> {
    Ok(Agent {
        id,
        email,
        name,
        skills: json_list(&skills)?,
        capacity: capacity.clamp(0, u32::MAX as i64) as u32,
    })
}

/// A visitor as every query selects it: id, site_id, identity,
/// created_at, last_seen_at.
pub(super) type VisitorRow = (String, String, String, i64, i64);

pub(super) fn visitor_from((id, site, identity, created, seen): VisitorRow) -> Result<Visitor> {
    Ok(Visitor {
        id,
        site,
        identity: serde_json::from_str(&identity)
            .map_err(|e| StoreError::Corrupt(format!("visitor identity: {e}")))?,
        created_at: created,
        last_seen_at: seen,
    })
}

pub(super) fn visitors_from(rows: Vec<VisitorRow>) -> Result<Vec<Visitor>> {
    rows.into_iter().map(visitor_from).collect()
}

pub(super) fn event_from(
    seq: i64,
    at: i64,
    author: String,
    author_name: Option<String>,
    body: String,
) -> Result<Event> {
    Ok(Event {
        seq: seq.max(0) as u64,
        at,
        author: Role::parse(&author)
            .ok_or_else(|| StoreError::Corrupt(format!("event author {author:?}")))?,
        author_name,
        body: serde_json::from_str(&body)
            .map_err(|e| StoreError::Corrupt(format!("event body: {e}")))?,
    })
}

/// Token hashes (or agent ids) looked up per statement by `agent_token_states`
/// (`agent_statuses`).
pub(super) const TOKENS_PER_QUERY: usize = 500;

/// `$1, $2, … $n`: placeholders for an `IN (…)` list; no values.
fn placeholders(n: usize) -> String {
    let list: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    list.join(", ")
}

/// `agent_token_states` for `n` hashes.
pub(super) fn token_states_query(n: usize) -> String {
    format!(
        "SELECT t.token_hash, t.agent_id, t.expires_at, a.disabled_at, a.removed_at \
         FROM agent_tokens t JOIN agents a ON a.id = t.agent_id WHERE t.token_hash IN ({})",
        placeholders(n)
    )
}

/// `agent_statuses` for `n` ids.
pub(super) fn agent_statuses_query(n: usize) -> String {
    format!(
        "SELECT id, disabled_at, removed_at FROM agents WHERE id IN ({})",
        placeholders(n)
    )
}

pub(super) fn agent_status(disabled: Option<i64>, removed: Option<i64>) -> AgentStatus {
    match (disabled, removed) {
        (_, Some(_)) => AgentStatus::Removed,
        (Some(_), None) => AgentStatus::Disabled,
        (None, None) => AgentStatus::Active,
    }
}

pub(super) fn token_state_from(
    (token_hash, agent_id, expires_at, disabled, removed): (
        String,
        String,
        i64,
        Option<i64>,
        Option<i64>,
    ),
) -> TokenState {
    TokenState {
        token_hash,
        agent_id,
        expires_at,
        agent: agent_status(disabled, removed),
    }
}

/// id, name, origins, voice, hours, timezone, max_wait_secs, retain_days,
/// legacy_identity_hash.
pub(super) type SiteRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    bool,
);

pub(super) const SITE_COLUMNS: &str =
    "id, name, origins, voice, hours, timezone, max_wait_secs, retain_days, legacy_identity_hash";

pub(super) fn site_from(
    (id, name, origins, voice, hours, timezone, max_wait, retain_days, legacy_identity_hash): SiteRow,
) -> Result<Site> {
    Ok(Site {
        id,
        name,
        origins: json_list(&origins)?,
        voice: voice
            .parse()
            .map_err(|e: String| StoreError::Corrupt(format!("site voice: {e}")))?,
        hours,
        timezone,
        max_wait_secs: max_wait.map(|s| s.clamp(0, u32::MAX as i64) as u32),
        retain_days: retain_days.map(|d| d.clamp(0, u32::MAX as i64) as u32),
        legacy_identity_hash,
    })
}

/// Implements `Store` for a struct with a `pool` field of a sqlx pool type,
/// and a `MIGRATIONS: &[(i64, &str)]` associated constant.
macro_rules! sql_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            async fn migrate(&self) -> $crate::store::Result<()> {
                sqlx::query(
                    "CREATE TABLE IF NOT EXISTS tandem_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
                )
                .execute(&self.pool)
                .await?;
                for (version, script) in Self::MIGRATIONS {
                    let mut tx = self.pool.begin().await?;
                    let done: Option<i64> = sqlx::query_scalar("SELECT version FROM tandem_migrations WHERE version = $1")
                        .bind(*version)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if done.is_some() {
                        continue;
                    }
                    sqlx::raw_sql(*script).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO tandem_migrations (version, applied_at) VALUES ($1, $2)")
                        .bind(*version)
                        .bind($crate::clock::now_ms())
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                }
                Ok(())
            }

            async fn setting_or_insert(&self, key: &str, value: &str) -> $crate::store::Result<String> {
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                    .bind(key)
                    .bind(value)
                    .execute(&self.pool)
                    .await?;
                Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_one(&self.pool).await?)
            }

            async fn upsert_site(&self, site: &$crate::store::Site, now: i64) -> $crate::store::Result<()> {
                sqlx::query(
                    "INSERT INTO sites (id, name, origins, created_at, voice, hours, timezone, max_wait_secs, retain_days, legacy_identity_hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, origins = excluded.origins, voice = excluded.voice, \
                     hours = excluded.hours, timezone = excluded.timezone, max_wait_secs = excluded.max_wait_secs, \
                     retain_days = excluded.retain_days, legacy_identity_hash = excluded.legacy_identity_hash",
                )
                .bind(&site.id)
                .bind(&site.name)
                .bind($crate::store::sql::to_json(&site.origins))
                .bind(now)
                .bind(site.voice.as_str())
                .bind(&site.hours)
                .bind(&site.timezone)
                .bind(site.max_wait_secs.map(i64::from))
                .bind(site.retain_days.map(i64::from))
                .bind(site.legacy_identity_hash)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn site(&self, id: &str) -> $crate::store::Result<Option<$crate::store::Site>> {
                let q = format!("SELECT {} FROM sites WHERE id = $1", $crate::store::sql::SITE_COLUMNS);
                let row: Option<$crate::store::sql::SiteRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(q)).bind(id).fetch_optional(&self.pool).await?;
                row.map($crate::store::sql::site_from).transpose()
            }

            async fn sites(&self) -> $crate::store::Result<Vec<$crate::store::Site>> {
                let q = format!("SELECT {} FROM sites ORDER BY id", $crate::store::sql::SITE_COLUMNS);
                let rows: Vec<$crate::store::sql::SiteRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(q)).fetch_all(&self.pool).await?;
                rows.into_iter().map($crate::store::sql::site_from).collect()
            }

            async fn add_agent(&self, agent: &$crate::store::Agent, password_hash: &str, now: i64) -> $crate::store::Result<()> {
                sqlx::query(
                    "INSERT INTO agents (id, email, name, password_hash, skills, capacity, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&agent.id)
                .bind(&agent.email)
                .bind(&agent.name)
                .bind(password_hash)
                .bind($crate::store::sql::to_json(&agent.skills))
                .bind(agent.capacity as i64)
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err($crate::store::sql::conflict("agent"))?;
                Ok(())
            }

            async fn set_agent_password(&self, email: &str, password_hash: &str) -> $crate::store::Result<bool> {
                // Old tokens go with the old password: whoever held one (a
                // stolen laptop, a shared cookie) is out once it changes.
                let mut tx = self.pool.begin().await?;
                let id: Option<String> = sqlx::query_scalar(
                    "UPDATE agents SET password_hash = $2 WHERE email = $1 AND removed_at IS NULL RETURNING id",
                )
                .bind(email)
                .bind(password_hash)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(id) = &id {
                    sqlx::query("DELETE FROM agent_tokens WHERE agent_id = $1").bind(id).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(id.is_some())
            }

            async fn set_agent_status(
                &self,
                email: &str,
                change: $crate::store::AgentStatus,
                now: i64,
            ) -> $crate::store::Result<Option<String>> {
                use $crate::store::AgentStatus;
                let set = match change {
                    AgentStatus::Active => "disabled_at = NULL",
                    AgentStatus::Disabled => "disabled_at = COALESCE(disabled_at, $2)",
                    // The password hash goes too: nothing can log in as them again.
                    AgentStatus::Removed => "removed_at = $2, password_hash = ''",
                };
                // `$2 IS NOT NULL` only gives every variant the same two parameters.
                let update = format!("UPDATE agents SET {set} WHERE email = $1 AND removed_at IS NULL AND $2 IS NOT NULL RETURNING id");
                let mut tx = self.pool.begin().await?;
                let id: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(update))
                    .bind(email)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                // A removed agent's tokens stay until they expire: no lookup
                // accepts them (they need an agent neither disabled nor
                // removed), and live sockets learn from them that the agent
                // was removed, not just signed out (see auth/live_tokens.rs).
                if let (Some(id), AgentStatus::Disabled) = (&id, change) {
                    sqlx::query("DELETE FROM agent_tokens WHERE agent_id = $1").bind(id).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(id)
            }

            async fn agent_credentials(
                &self,
                email: &str,
            ) -> $crate::store::Result<Option<($crate::store::Agent, String)>> {
                let q = format!(
                    "SELECT {}, password_hash FROM agents WHERE email = $1 AND disabled_at IS NULL AND removed_at IS NULL",
                    $crate::store::sql::AGENT_COLUMNS
                );
                let row: Option<(String, String, String, String, i64, String)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(q)).bind(email).fetch_optional(&self.pool).await?;
                match row {
                    Some((id, email, name, skills, cap, hash)) => {
                        Ok(Some(($crate::store::sql::agent_from(id, email, name, skills, cap)?, hash)))
                    }
                    None => Ok(None),
                }
            }

            async fn agent(&self, id: &str) -> $crate::store::Result<Option<$crate::store::Agent>> {
                let q = format!("SELECT {} FROM agents WHERE id = $1", $crate::store::sql::AGENT_COLUMNS);
                let row: Option<(String, String, String, String, i64)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(q)).bind(id).fetch_optional(&self.pool).await?;
                row.map(|(id, email, name, skills, cap)| $crate::store::sql::agent_from(id, email, name, skills, cap))
                    .transpose()
            }

            async fn add_agent_token(
                &self,
                token_hash: &str,
                agent_id: &str,
                now: i64,
                expires_at: i64,
            ) -> $crate::store::Result<()> {
                sqlx::query("INSERT INTO agent_tokens (token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                    .bind(token_hash)
                    .bind(agent_id)
                    .bind(now)
                    .bind(expires_at)
                    .execute(&self.pool)
                    .await
                    .map_err($crate::store::sql::conflict("token"))?;
                Ok(())
            }

            async fn agent_by_token(&self, token_hash: &str, now: i64) -> $crate::store::Result<Option<$crate::store::Agent>> {
                let q = format!(
                    "SELECT {} FROM agents WHERE id = (SELECT agent_id FROM agent_tokens WHERE token_hash = $1 AND expires_at > $2) \
                     AND disabled_at IS NULL AND removed_at IS NULL",
                    $crate::store::sql::AGENT_COLUMNS
                );
                let row: Option<(String, String, String, String, i64)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(q)).bind(token_hash).bind(now).fetch_optional(&self.pool).await?;
                row.map(|(id, email, name, skills, cap)| $crate::store::sql::agent_from(id, email, name, skills, cap))
                    .transpose()
            }

            async fn delete_agent_token(&self, token_hash: &str) -> $crate::store::Result<()> {
                sqlx::query("DELETE FROM agent_tokens WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
                Ok(())
            }

            async fn purge_expired_tokens(&self, now: i64, batch: u32) -> $crate::store::Result<u64> {
                let done = sqlx::query(
                    "DELETE FROM agent_tokens WHERE token_hash IN \
                     (SELECT token_hash FROM agent_tokens WHERE expires_at <= $1 LIMIT $2)",
                )
                .bind(now)
                .bind(i64::from(batch))
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn agent_token_states(
                &self,
                token_hashes: &[String],
            ) -> $crate::store::Result<Vec<$crate::store::TokenState>> {
                let mut states = Vec::with_capacity(token_hashes.len());
                // Chunks keep the placeholder count far below both databases'
                // limits (SQLite 32,766, Postgres 65,535).
                for chunk in token_hashes.chunks($crate::store::sql::TOKENS_PER_QUERY) {
                    let q = $crate::store::sql::token_states_query(chunk.len());
                    let mut query = sqlx::query_as::<_, (String, String, i64, Option<i64>, Option<i64>)>(sqlx::AssertSqlSafe(q));
                    for hash in chunk {
                        query = query.bind(hash);
                    }
                    for row in query.fetch_all(&self.pool).await? {
                        states.push($crate::store::sql::token_state_from(row));
                    }
                }
                Ok(states)
            }

            async fn agent_statuses(
                &self,
                agent_ids: &[String],
            ) -> $crate::store::Result<Vec<(String, $crate::store::AgentStatus)>> {
                let mut statuses = Vec::with_capacity(agent_ids.len());
                for chunk in agent_ids.chunks($crate::store::sql::TOKENS_PER_QUERY) {
                    let q = $crate::store::sql::agent_statuses_query(chunk.len());
                    let mut query = sqlx::query_as::<_, (String, Option<i64>, Option<i64>)>(sqlx::AssertSqlSafe(q));
                    for id in chunk {
                        query = query.bind(id);
                    }
                    for (id, disabled, removed) in query.fetch_all(&self.pool).await? {
                        statuses.push((id, $crate::store::sql::agent_status(disabled, removed)));
                    }
                }
                Ok(statuses)
            }

            async fn touch_visitor(&self, id: &str, site: &str, now: i64) -> $crate::store::Result<$crate::store::Visitor> {
                let row: $crate::store::sql::VisitorRow = sqlx::query_as(
                    "INSERT INTO visitors (id, site_id, identity, created_at, last_seen_at) VALUES ($1, $2, '{}', $3, $3) \
                     ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at \
                     RETURNING id, site_id, identity, created_at, last_seen_at",
                )
                .bind(id)
                .bind(site)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                $crate::store::sql::visitor_from(row)
            }

            async fn visitor(&self, id: &str) -> $crate::store::Result<Option<$crate::store::Visitor>> {
                let row: Option<$crate::store::sql::VisitorRow> = sqlx::query_as(
                    "SELECT id, site_id, identity, created_at, last_seen_at FROM visitors WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.map($crate::store::sql::visitor_from).transpose()
            }

            async fn find_visitors(
                &self,
                key: &str,
                site: Option<&str>,
            ) -> $crate::store::Result<Vec<$crate::store::Visitor>> {
                self.find_visitors_sql(key, site).await
            }

            async fn linked_visitors(&self, visitor_id: &str) -> $crate::store::Result<Vec<$crate::store::Visitor>> {
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

            async fn library(&self) -> $crate::store::Result<Vec<$crate::store::LibraryItem>> {
                let rows: Vec<(String, String, Option<String>, String, String, String, String)> = sqlx::query_as(
                    "SELECT id, kind, shortcut, title, body, url, keywords FROM library_items ORDER BY title, id",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(id, kind, shortcut, title, body, url, keywords)| {
                        let kind = match kind.as_str() {
                            "canned" => $crate::store::LibraryKind::Canned,
                            "article" => $crate::store::LibraryKind::Article,
                            other => {
                                return Err($crate::store::StoreError::Corrupt(format!("library kind {other:?}")))
                            }
                        };
                        Ok($crate::store::LibraryItem {
                            id,
                            kind,
                            shortcut,
                            title,
                            body,
                            url,
                            keywords: $crate::store::sql::json_list(&keywords)?,
                        })
                    })
                    .collect()
            }

            async fn put_library_item(&self, item: &$crate::store::LibraryItem, now: i64) -> $crate::store::Result<()> {
                sqlx::query(
                    "INSERT INTO library_items (id, kind, shortcut, title, body, url, keywords, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, shortcut = excluded.shortcut, \
                     title = excluded.title, body = excluded.body, url = excluded.url, \
                     keywords = excluded.keywords, updated_at = excluded.updated_at",
                )
                .bind(&item.id)
                .bind(item.kind.as_str())
                .bind(&item.shortcut)
                .bind(&item.title)
                .bind(&item.body)
                .bind(&item.url)
                .bind($crate::store::sql::to_json(&item.keywords))
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err($crate::store::sql::conflict("shortcut"))?;
                Ok(())
            }

            async fn delete_library_item(&self, id: &str) -> $crate::store::Result<bool> {
                let done = sqlx::query("DELETE FROM library_items WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn set_visitor_identity(
                &self,
                id: &str,
                identity: &protocol::VisitorIdentity,
            ) -> $crate::store::Result<()> {
                // Only a verified id links devices; an unverified claim unlinks.
                let verified_user = identity.id.as_ref().filter(|_| identity.verified);
                let (email, user_id) = $crate::store::personal::lookup_keys(identity);
                sqlx::query("UPDATE visitors SET identity = $2, verified_user = $3, email = $4, user_id = $5 WHERE id = $1")
                    .bind(id)
                    .bind($crate::store::sql::to_json(identity))
                    .bind(verified_user)
                    .bind(email)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn add_page_view(&self, visitor_id: &str, page: &protocol::PageInfo, at: i64) -> $crate::store::Result<()> {
                sqlx::query("INSERT INTO page_views (visitor_id, url, title, at) VALUES ($1, $2, $3, $4)")
                    .bind(visitor_id)
                    .bind($crate::store::personal::stored_page_url(&page.url))
                    .bind(&page.title)
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn page_views(
                &self,
                visitor_id: &str,
                limit: u32,
            ) -> $crate::store::Result<Vec<(protocol::PageInfo, i64)>> {
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT url, title, at FROM page_views WHERE visitor_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
                )
                .bind(visitor_id)
                .bind(limit as i64)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|(url, title, at)| (protocol::PageInfo { url, title }, at)).collect())
            }

            async fn create_session(&self, s: &$crate::store::SessionRecord) -> $crate::store::Result<()> {
                sqlx::query(
                    "INSERT INTO sessions (id, site_id, visitor_id, state, topic, first_message, page_url, page_title, \
                     requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&s.id)
                .bind(&s.site)
                .bind(&s.visitor_id)
                .bind(s.state.as_str())
                .bind(&s.topic)
                .bind(&s.first_message)
                .bind(s.page.as_ref().map(|p| $crate::store::personal::stored_page_url(&p.url)))
                .bind(s.page.as_ref().map(|p| p.title.clone()))
                .bind(s.requested_at)
                .execute(&self.pool)
                .await
                .map_err($crate::store::sql::conflict("session"))?;
                Ok(())
            }

            async fn update_session(&self, s: &$crate::store::SessionRecord) -> $crate::store::Result<()> {
                sqlx::query(
                    "UPDATE sessions SET state = $2, agent_id = $3, accepted_at = $4, ended_at = $5, ended_by = $6, \
                     visitor_delivered = $7, visitor_read = $8, agent_delivered = $9, agent_read = $10, callback = $11, \
                     contact = $12 WHERE id = $1",
                )
                .bind(&s.id)
                .bind(s.state.as_str())
                .bind(s.agent.as_ref().map(|a| a.id.clone()))
                .bind(s.accepted_at)
                .bind(s.ended_at)
                .bind(s.ended_by.map(|r| r.as_str()))
                .bind(s.receipts.visitor_delivered as i64)
                .bind(s.receipts.visitor_read as i64)
                .bind(s.receipts.agent_delivered as i64)
                .bind(s.receipts.agent_read as i64)
                .bind(s.callback.as_ref().map($crate::store::sql::to_json))
                .bind(s.callback.as_ref().and_then($crate::store::personal::callback_contact))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session(&self, id: &str) -> $crate::store::Result<Option<$crate::store::SessionRecord>> {
                let q = format!("{} WHERE s.id = $1", $crate::store::sql::SESSION_SELECT);
                let row = sqlx::query(sqlx::AssertSqlSafe(q)).bind(id).fetch_optional(&self.pool).await?;
                row.map(|r| Self::session_row(&r)?.into_record()).transpose()
            }

            async fn open_sessions(&self) -> $crate::store::Result<Vec<$crate::store::SessionRecord>> {
                let q = format!(
                    "{} WHERE s.state <> 'ended' ORDER BY s.requested_at, s.id",
                    $crate::store::sql::SESSION_SELECT
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(q)).fetch_all(&self.pool).await?;
                rows.iter().map(|r| Self::session_row(r)?.into_record()).collect()
            }

            async fn sessions_since(&self, since: i64) -> $crate::store::Result<Vec<$crate::store::SessionRecord>> {
                let q = format!("{} WHERE s.requested_at >= $1 ORDER BY s.requested_at, s.id", $crate::store::sql::SESSION_SELECT);
                let rows = sqlx::query(sqlx::AssertSqlSafe(q)).bind(since).fetch_all(&self.pool).await?;
                rows.iter().map(|r| Self::session_row(r)?.into_record()).collect()
            }

            async fn visitor_sessions(
                &self,
                visitor_id: &str,
                limit: u32,
            ) -> $crate::store::Result<Vec<$crate::store::SessionRecord>> {
                let q = format!(
                    "{} WHERE s.visitor_id = $1 ORDER BY s.requested_at DESC, s.id LIMIT $2",
                    $crate::store::sql::SESSION_SELECT
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(q)).bind(visitor_id).bind(limit as i64).fetch_all(&self.pool).await?;
                rows.iter().map(|r| Self::session_row(r)?.into_record()).collect()
            }

            async fn customer_sessions(
                &self,
                visitor_id: &str,
                limit: u32,
            ) -> $crate::store::Result<Vec<$crate::store::SessionRecord>> {
                // The visitor themself, plus (when verified) every visitor of
                // the same site verified as the same user.
                let q = format!(
                    "{} WHERE s.visitor_id IN (SELECT o.id FROM visitors o JOIN visitors me ON me.id = $1 \
                     WHERE o.id = me.id OR (me.verified_user IS NOT NULL AND o.site_id = me.site_id \
                     AND o.verified_user = me.verified_user)) \
                     ORDER BY s.requested_at DESC, s.id LIMIT $2",
                    $crate::store::sql::SESSION_SELECT
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(q)).bind(visitor_id).bind(limit as i64).fetch_all(&self.pool).await?;
                rows.iter().map(|r| Self::session_row(r)?.into_record()).collect()
            }

            async fn set_wrapup(&self, session_id: &str, w: &$crate::store::Wrapup) -> $crate::store::Result<bool> {
                let done = sqlx::query(
                    "UPDATE sessions SET disposition = $2, wrapup_note = $3, wrapped_up_at = $4 WHERE id = $1 AND erased_at IS NULL",
                )
                .bind(session_id)
                .bind(&w.disposition)
                .bind(&w.note)
                .bind(w.at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn append_events(&self, batch: &[(String, protocol::Event)]) -> $crate::store::Result<()> {
                // Each database commits batches its own way (see sqlite_events.rs).
                self.write_events(batch).await
            }

            async fn events_after(
                &self,
                session_id: &str,
                after_seq: u64,
                limit: u32,
            ) -> $crate::store::Result<Vec<protocol::Event>> {
                let rows: Vec<(i64, i64, String, Option<String>, String)> = sqlx::query_as(
                    "SELECT seq, at, author, author_name, body FROM events WHERE session_id = $1 AND seq > $2 \
                     ORDER BY seq LIMIT $3",
                )
                .bind(session_id)
                .bind(after_seq.min(i64::MAX as u64) as i64)
                .bind(limit as i64)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(|(seq, at, author, name, body)| $crate::store::sql::event_from(seq, at, author, name, body)).collect()
            }
        }
    };
}

pub(super) use sql_store;

/// Reads a [`SessionRow`] out of any sqlx row type with the columns of [`SESSION_SELECT`].
macro_rules! session_row_reader {
    ($store:ty, $row:ty) => {
        impl $store {
            fn session_row(r: &$row) -> $crate::store::Result<$crate::store::sql::SessionRow> {
                use sqlx::Row;
                Ok($crate::store::sql::SessionRow {
                    id: r.try_get("id")?,
                    site_id: r.try_get("site_id")?,
                    visitor_id: r.try_get("visitor_id")?,
                    state: r.try_get("state")?,
                    topic: r.try_get("topic")?,
                    first_message: r.try_get("first_message")?,
                    page_url: r.try_get("page_url")?,
                    page_title: r.try_get("page_title")?,
                    agent_id: r.try_get("agent_id")?,
                    agent_name: r.try_get("agent_name")?,
                    requested_at: r.try_get("requested_at")?,
                    accepted_at: r.try_get("accepted_at")?,
                    ended_at: r.try_get("ended_at")?,
                    ended_by: r.try_get("ended_by")?,
                    last_seq: r.try_get("last_seq")?,
                    callback: r.try_get("callback")?,
                    receipts: [
                        r.try_get("visitor_delivered")?,
                        r.try_get("visitor_read")?,
                        r.try_get("agent_delivered")?,
                        r.try_get("agent_read")?,
                    ],
                    disposition: r.try_get("disposition")?,
                    wrapup_note: r.try_get("wrapup_note")?,
                    wrapped_up_at: r.try_get("wrapped_up_at")?,
                    visitor_identity: r.try_get("visitor_identity")?,
                })
            }
        }
    };
}

pub(super) use session_row_reader;
