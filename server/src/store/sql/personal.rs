//! The SQL of export lookups, erasure and retention, shared by both stores
//! like the rest of sql/ (the `Store` impl in sql/mod.rs calls these). The
//! rules for what is erased are in store/personal.rs.
//!
//! Every writing transaction here starts with `BEGIN_WRITE` (SQLite: `BEGIN
//! IMMEDIATE`): it reads before it writes, and a SQLite transaction that
//! upgrades from reading to writing fails at once, without waiting, when
//! another connection (the event writer) committed in between.

use protocol::{Event, EventBody, Role};

use super::rows::to_json;
use crate::store::personal::{erased_callback, erased_event};
use crate::store::{Result, StoreError};

/// A stored event row as erasure reads it. A row that no longer decodes is
/// erased all the same (to `redacted`): erasure must not stop at a bad row.
pub(in crate::store) fn erase_row(
    seq: i64,
    at: i64,
    author: &str,
    author_name: Option<String>,
    body: &str,
) -> Option<(Option<String>, String)> {
    let author = Role::parse(author).unwrap_or(Role::System);
    let event = match serde_json::from_str::<EventBody>(body) {
        Ok(body) => Event {
            seq: seq.max(0) as u64,
            at,
            author,
            author_name,
            body,
        },
        Err(_) => {
            return Some((None, to_json(&EventBody::Redacted)));
        }
    };
    erased_event(&event).map(|e| (e.author_name, to_json(&e.body)))
}

/// A stored call-back (JSON) with its contact erased.
pub(in crate::store) fn erase_callback_json(json: &str) -> Result<String> {
    let callback: protocol::Callback = serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("session callback: {e}")))?;
    Ok(to_json(&erased_callback(&callback)))
}

/// Inherent methods behind the privacy part of `Store`, for a store type
/// with a `pool` of database `$db` and a `BEGIN_WRITE` statement.
macro_rules! personal_sql {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Erases one session's personal fields and event texts inside `tx`;
            /// returns how many events changed.
            async fn erase_session_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                session: &str,
                now: i64,
            ) -> $crate::store::Result<u64> {
                let callback: Option<Option<String>> = sqlx::query_scalar(
                    "UPDATE sessions SET erased_at = $2, topic = NULL, first_message = '', page_url = NULL, \
                     page_title = NULL, wrapup_note = NULL, contact = NULL WHERE id = $1 RETURNING callback",
                )
                .bind(session)
                .bind(now)
                .fetch_optional(&mut **tx)
                .await?;
                if let Some(Some(json)) = callback {
                    sqlx::query("UPDATE sessions SET callback = $2 WHERE id = $1")
                        .bind(session)
                        .bind($crate::store::sql::personal::erase_callback_json(&json)?)
                        .execute(&mut **tx)
                        .await?;
                }
                let rows: Vec<(i64, i64, String, Option<String>, String)> = sqlx::query_as(
                    "SELECT seq, at, author, author_name, body FROM events WHERE session_id = $1 ORDER BY seq",
                )
                .bind(session)
                .fetch_all(&mut **tx)
                .await?;
                let mut changed = 0;
                for (seq, at, author, name, body) in rows {
                    let Some((name, body)) =
                        $crate::store::sql::personal::erase_row(seq, at, &author, name, &body)
                    else {
                        continue;
                    };
                    sqlx::query("UPDATE events SET author_name = $3, body = $4 WHERE session_id = $1 AND seq = $2")
                        .bind(session)
                        .bind(seq)
                        .bind(name)
                        .bind(body)
                        .execute(&mut **tx)
                        .await?;
                    changed += 1;
                }
                Ok(changed)
            }

            async fn find_visitors_sql(
                &self,
                key: &str,
                site: Option<&str>,
            ) -> $crate::store::Result<Vec<$crate::store::Visitor>> {
                let rows: Vec<$crate::store::sql::visitor::VisitorRow> = sqlx::query_as(
                    "SELECT id, site_id, identity, created_at, last_seen_at FROM visitors \
                     WHERE (id = $1 OR user_id = $1 OR email = $2 \
                     OR id IN (SELECT visitor_id FROM sessions WHERE contact = $4)) \
                     AND site_id = COALESCE($3, site_id) \
                     ORDER BY site_id, last_seen_at DESC, id",
                )
                .bind(key.trim())
                .bind($crate::store::personal::email_key(key))
                .bind(site)
                .bind($crate::store::personal::contact_key(key))
                .fetch_all(&self.pool)
                .await?;
                $crate::store::sql::visitor::visitors_from(rows)
            }

            async fn linked_visitors_sql(
                &self,
                visitor_id: &str,
            ) -> $crate::store::Result<Vec<$crate::store::Visitor>> {
                let rows: Vec<$crate::store::sql::visitor::VisitorRow> = sqlx::query_as(
                    "SELECT o.id, o.site_id, o.identity, o.created_at, o.last_seen_at FROM visitors o \
                     JOIN visitors me ON me.id = $1 \
                     WHERE o.id = me.id OR (me.verified_user IS NOT NULL AND o.site_id = me.site_id \
                     AND o.verified_user = me.verified_user) \
                     ORDER BY o.last_seen_at DESC, o.id",
                )
                .bind(visitor_id)
                .fetch_all(&self.pool)
                .await?;
                $crate::store::sql::visitor::visitors_from(rows)
            }

            async fn erase_visitors_sql(
                &self,
                visitor_ids: &[String],
                now: i64,
            ) -> $crate::store::Result<$crate::store::Erasure> {
                let mut done = $crate::store::Erasure::default();
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                // One anonymous visitor per site takes over the erased
                // visitors' sessions: counted, but linked to nobody.
                let mut anonymous: std::collections::HashMap<String, String> = Default::default();
                for id in visitor_ids {
                    let open: Option<String> = sqlx::query_scalar(
                        "SELECT id FROM sessions WHERE visitor_id = $1 AND state <> 'ended' ORDER BY id LIMIT 1",
                    )
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some(open) = open {
                        return Err($crate::store::StoreError::SessionOpen(open));
                    }
                    let site: Option<String> = sqlx::query_scalar("SELECT site_id FROM visitors WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let Some(site) = site else { continue };
                    let sessions: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions WHERE visitor_id = $1")
                        .bind(id)
                        .fetch_all(&mut *tx)
                        .await?;
                    if !sessions.is_empty() {
                        let anon = match anonymous.get(&site) {
                            Some(anon) => anon.clone(),
                            None => {
                                let anon = $crate::ids::new_id("v_");
                                sqlx::query(
                                    "INSERT INTO visitors (id, site_id, identity, created_at, last_seen_at) \
                                     VALUES ($1, $2, $3, $4, $4)",
                                )
                                .bind(&anon)
                                .bind(&site)
                                .bind($crate::store::personal::NO_IDENTITY)
                                .bind(now)
                                .execute(&mut *tx)
                                .await?;
                                anonymous.insert(site.clone(), anon.clone());
                                anon
                            }
                        };
                        for session in &sessions {
                            done.events += Self::erase_session_in(&mut tx, session, now).await?;
                        }
                        done.sessions += sessions.len() as u64;
                        sqlx::query("UPDATE sessions SET visitor_id = $2 WHERE visitor_id = $1")
                            .bind(id)
                            .bind(&anon)
                            .execute(&mut *tx)
                            .await?;
                    }
                    done.page_views += sqlx::query("DELETE FROM page_views WHERE visitor_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    done.visitors_deleted += sqlx::query("DELETE FROM visitors WHERE id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                }
                tx.commit().await?;
                Ok(done)
            }

            async fn purge_site_sql(
                &self,
                site: &str,
                cutoff: i64,
                now: i64,
                batch: u32,
            ) -> $crate::store::Result<$crate::store::Erasure> {
                let limit = i64::from(batch);
                let mut done = $crate::store::Erasure::default();
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                let sessions: Vec<String> = sqlx::query_scalar(
                    "SELECT id FROM sessions WHERE site_id = $1 AND erased_at IS NULL AND ended_at IS NOT NULL \
                     AND ended_at < $2 ORDER BY ended_at LIMIT $3",
                )
                .bind(site)
                .bind(cutoff)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
                // A session's events count against the round too: a round
                // stops after the session that brings them to `batch`.
                for session in &sessions {
                    done.events += Self::erase_session_in(&mut tx, session, now).await?;
                    done.sessions += 1;
                    if done.events >= limit as u64 {
                        break;
                    }
                }
                // The three clean-ups below take the site ($1), the cutoff
                // ($2) and the round's size ($3).
                let aged = |sql: &'static str| sqlx::query(sql).bind(site).bind(cutoff).bind(limit);
                done.page_views = aged(
                    "DELETE FROM page_views WHERE id IN (SELECT p.id FROM page_views p JOIN visitors v ON v.id = p.visitor_id \
                     WHERE v.site_id = $1 AND p.at < $2 LIMIT $3)",
                )
                .execute(&mut *tx)
                .await?
                .rows_affected();
                // Not seen since the cutoff, and nothing of theirs is left
                // (page views of the same age went just above).
                done.visitors_deleted = aged(
                    "DELETE FROM visitors WHERE id IN (SELECT v.id FROM visitors v WHERE v.site_id = $1 AND v.last_seen_at < $2 \
                     AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.visitor_id = v.id) \
                     AND NOT EXISTS (SELECT 1 FROM page_views p WHERE p.visitor_id = v.id) LIMIT $3)",
                )
                .execute(&mut *tx)
                .await?
                .rows_affected();
                // Their sessions keep the row; the identity goes once every
                // one of them has ended.
                done.visitors_anonymised = aged(
                    "UPDATE visitors SET identity = $4, email = NULL, user_id = NULL, verified_user = NULL \
                     WHERE id IN (SELECT v.id FROM visitors v WHERE v.site_id = $1 AND v.last_seen_at < $2 \
                     AND v.identity <> $4 AND EXISTS (SELECT 1 FROM sessions s WHERE s.visitor_id = v.id) \
                     AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.visitor_id = v.id AND s.state <> 'ended') LIMIT $3)",
                )
                .bind($crate::store::personal::NO_IDENTITY)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                tx.commit().await?;
                Ok(done)
            }
        }
    };
}

pub(in crate::store) use personal_sql;
