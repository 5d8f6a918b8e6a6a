//! The `events` table: each session's log. Each database appends batches
//! its own way (`write_events`: sqlite_events.rs, postgres.rs); reading
//! them back is shared.

use protocol::{Event, Role};

use crate::store::{Result, StoreError};

pub(in crate::store) fn event_from(
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

/// `Store::events_after` as an inherent `…_sql` method of a store type with a `pool`.
macro_rules! event_sql {
    ($store:ty) => {
        impl $store {
            async fn events_after_sql(
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
                rows.into_iter().map(|(seq, at, author, name, body)| $crate::store::sql::event::event_from(seq, at, author, name, body)).collect()
            }

            async fn open_share_and_call_events_sql(
                &self,
            ) -> $crate::store::Result<Vec<(String, protocol::Event)>> {
                // serde writes an entry's `kind` tag first, so the kind is a
                // prefix both databases can match without JSON functions.
                let rows: Vec<(String, i64, i64, String, Option<String>, String)> = sqlx::query_as(
                    "SELECT e.session_id, e.seq, e.at, e.author, e.author_name, e.body \
                     FROM events e JOIN sessions s ON s.id = e.session_id \
                     WHERE s.state <> 'ended' \
                     AND (e.body LIKE '{\"kind\":\"share\"%' OR e.body LIKE '{\"kind\":\"call\"%') \
                     ORDER BY e.session_id, e.seq",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(session, seq, at, author, name, body)| {
                        Ok((session, $crate::store::sql::event::event_from(seq, at, author, name, body)?))
                    })
                    .collect()
            }
        }
    };
}

pub(in crate::store) use event_sql;
