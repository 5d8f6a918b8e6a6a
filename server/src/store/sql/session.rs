//! The `sessions` table: requests, their state, agent, receipts, call-back
//! and wrap-up, read back joined with their visitor and agent.

use protocol::{AgentInfo, PageInfo, Receipts, Role, SessionState, VisitorIdentity};

use crate::store::{Result, SessionRecord, StoreError, Wrapup};

pub(in crate::store) const SESSION_SELECT: &str = "SELECT s.id, s.site_id, s.visitor_id, s.state, s.topic, s.first_message, \
     s.page_url, s.page_title, s.agent_id, a.name AS agent_name, s.requested_at, s.accepted_at, s.ended_at, \
     s.ended_by, COALESCE((SELECT MAX(e.seq) FROM events e WHERE e.session_id = s.id), 0) AS last_seq, s.callback, s.visitor_delivered, s.visitor_read, s.agent_delivered, s.agent_read, \
     s.disposition, s.wrapup_note, s.wrapped_up_at, v.identity AS visitor_identity \
     FROM sessions s JOIN visitors v ON v.id = s.visitor_id LEFT JOIN agents a ON a.id = s.agent_id";

/// Column values of one `sessions` row joined as in [`SESSION_SELECT`],
/// gathered by the per-database row reader so decoding is written once.
pub(in crate::store) struct SessionRow {
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
    pub(in crate::store) fn into_record(self) -> Result<SessionRecord> {
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

/// `Store`'s session methods as inherent `…_sql` methods of a store type
/// with a `pool` and a `session_row` reader (`session_row_reader!`).
macro_rules! session_sql {
    ($store:ty) => {
        impl $store {
            async fn create_session_sql(&self, s: &$crate::store::SessionRecord) -> $crate::store::Result<()> {
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
                .map_err($crate::store::sql::rows::conflict("session"))?;
                Ok(())
            }

            async fn update_session_sql(&self, s: &$crate::store::SessionRecord) -> $crate::store::Result<()> {
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
                .bind(s.callback.as_ref().map($crate::store::sql::rows::to_json))
                .bind(s.callback.as_ref().and_then($crate::store::personal::callback_contact))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session_sql(&self, id: &str) -> $crate::store::Result<Option<$crate::store::SessionRecord>> {
                let q = format!("{} WHERE s.id = $1", $crate::store::sql::session::SESSION_SELECT);
                let row = sqlx::query(sqlx::AssertSqlSafe(q)).bind(id).fetch_optional(&self.pool).await?;
                row.map(|r| Self::session_row(&r)?.into_record()).transpose()
            }

            async fn open_sessions_sql(&self) -> $crate::store::Result<Vec<$crate::store::SessionRecord>> {
                let q = format!(
                    "{} WHERE s.state <> 'ended' ORDER BY s.requested_at, s.id",
                    $crate::store::sql::session::SESSION_SELECT
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(q)).fetch_all(&self.pool).await?;
                rows.iter().map(|r| Self::session_row(r)?.into_record()).collect()
            }

            async fn sessions_since_sql(&self, since: i64) -> $crate::store::Result<Vec<$crate::store::SessionRecord>> {
                let q = format!("{} WHERE s.requested_at >= $1 ORDER BY s.requested_at, s.id", $crate::store::sql::session::SESSION_SELECT);
                let rows = sqlx::query(sqlx::AssertSqlSafe(q)).bind(since).fetch_all(&self.pool).await?;
                rows.iter().map(|r| Self::session_row(r)?.into_record()).collect()
            }

            async fn visitor_sessions_sql(
                &self,
                visitor_id: &str,
                limit: u32,
            ) -> $crate::store::Result<Vec<$crate::store::SessionRecord>> {
                let q = format!(
                    "{} WHERE s.visitor_id = $1 ORDER BY s.requested_at DESC, s.id LIMIT $2",
                    $crate::store::sql::session::SESSION_SELECT
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(q)).bind(visitor_id).bind(limit as i64).fetch_all(&self.pool).await?;
                rows.iter().map(|r| Self::session_row(r)?.into_record()).collect()
            }

            async fn customer_sessions_sql(
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
                    $crate::store::sql::session::SESSION_SELECT
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(q)).bind(visitor_id).bind(limit as i64).fetch_all(&self.pool).await?;
                rows.iter().map(|r| Self::session_row(r)?.into_record()).collect()
            }

            async fn set_wrapup_sql(&self, session_id: &str, w: &$crate::store::Wrapup) -> $crate::store::Result<bool> {
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
        }
    };
}

pub(in crate::store) use session_sql;

/// Reads a [`SessionRow`] out of any sqlx row type with the columns of [`SESSION_SELECT`].
macro_rules! session_row_reader {
    ($store:ty, $row:ty) => {
        impl $store {
            fn session_row(
                r: &$row,
            ) -> $crate::store::Result<$crate::store::sql::session::SessionRow> {
                use sqlx::Row;
                Ok($crate::store::sql::session::SessionRow {
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

pub(in crate::store) use session_row_reader;
