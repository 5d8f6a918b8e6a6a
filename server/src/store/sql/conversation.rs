//! Listing sessions for the integration API (`Store::conversations`):
//! every filter optional, newest request first, continued by keyset (the
//! last session's request time and id), so a page costs an index range
//! however deep the listing goes.

/// The filters of [`crate::store::ConversationFilter`]; a NULL parameter
/// matches everything. CASTs give each parameter a type both databases
/// agree on.
pub(in crate::store) const CONVERSATIONS_WHERE: &str = " WHERE \
     (CAST($1 AS BIGINT) IS NULL OR s.requested_at >= $1) \
     AND (CAST($2 AS BIGINT) IS NULL OR s.requested_at < $2) \
     AND (CAST($3 AS TEXT) IS NULL OR s.site_id = $3) \
     AND (CAST($4 AS TEXT) IS NULL OR s.agent_id = $4) \
     AND (CAST($5 AS TEXT) IS NULL OR s.state = $5) \
     AND (CAST($6 AS TEXT) IS NULL OR s.disposition = $6) \
     AND ($7 = 0 OR s.callback IS NOT NULL) \
     AND (CAST($8 AS BIGINT) IS NULL OR s.requested_at < $8 \
          OR (s.requested_at = $8 AND s.id < CAST($9 AS TEXT))) \
     ORDER BY s.requested_at DESC, s.id DESC LIMIT $10";

/// `Store::conversations` as an inherent `conversations_sql` method.
macro_rules! conversation_sql {
    ($store:ty) => {
        impl $store {
            async fn conversations_sql(
                &self,
                f: &$crate::store::ConversationFilter,
            ) -> $crate::store::Result<Vec<$crate::store::SessionRecord>> {
                let q = format!(
                    "{}{}",
                    $crate::store::sql::session::SESSION_SELECT,
                    $crate::store::sql::conversation::CONVERSATIONS_WHERE
                );
                let (after_at, after_id) = match &f.after {
                    Some((at, id)) => (Some(*at), Some(id.as_str())),
                    None => (None, None),
                };
                let rows = sqlx::query(sqlx::AssertSqlSafe(q))
                    .bind(f.from)
                    .bind(f.to)
                    .bind(f.site.as_deref())
                    .bind(f.agent.as_deref())
                    .bind(f.state.map(|s| s.as_str()))
                    .bind(f.disposition.as_deref())
                    .bind(i64::from(f.callbacks_only))
                    .bind(after_at)
                    .bind(after_id)
                    .bind(i64::from(f.limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| Self::session_row(r)?.into_record())
                    .collect()
            }
        }
    };
}

pub(in crate::store) use conversation_sql;
