//! The `visitors` table (identity, devices linked by a verified user id)
//! and the `page_views` each visitor left.

use crate::store::{Result, StoreError, Visitor};

/// A visitor as every query selects it: id, site_id, identity,
/// created_at, last_seen_at.
pub(in crate::store) type VisitorRow = (String, String, String, i64, i64);

pub(in crate::store) fn visitor_from(
    (id, site, identity, created, seen): VisitorRow,
) -> Result<Visitor> {
    Ok(Visitor {
        id,
        site,
        identity: serde_json::from_str(&identity)
            .map_err(|e| StoreError::Corrupt(format!("visitor identity: {e}")))?,
        created_at: created,
        last_seen_at: seen,
    })
}

pub(in crate::store) fn visitors_from(rows: Vec<VisitorRow>) -> Result<Vec<Visitor>> {
    rows.into_iter().map(visitor_from).collect()
}

/// `Store`'s visitor and page-view methods as inherent `…_sql` methods of a
/// store type with a `pool`.
macro_rules! visitor_sql {
    ($store:ty) => {
        impl $store {
            async fn touch_visitor_sql(&self, id: &str, site: &str, now: i64) -> $crate::store::Result<$crate::store::Visitor> {
                let row: $crate::store::sql::visitor::VisitorRow = sqlx::query_as(
                    "INSERT INTO visitors (id, site_id, identity, created_at, last_seen_at) VALUES ($1, $2, '{}', $3, $3) \
                     ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at \
                     RETURNING id, site_id, identity, created_at, last_seen_at",
                )
                .bind(id)
                .bind(site)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                $crate::store::sql::visitor::visitor_from(row)
            }

            async fn visitor_sql(&self, id: &str) -> $crate::store::Result<Option<$crate::store::Visitor>> {
                let row: Option<$crate::store::sql::visitor::VisitorRow> = sqlx::query_as(
                    "SELECT id, site_id, identity, created_at, last_seen_at FROM visitors WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.map($crate::store::sql::visitor::visitor_from).transpose()
            }

            async fn set_visitor_identity_sql(
                &self,
                id: &str,
                identity: &protocol::VisitorIdentity,
            ) -> $crate::store::Result<()> {
                // Only a verified id links devices; an unverified claim unlinks.
                let verified_user = identity.id.as_ref().filter(|_| identity.verified);
                let (email, user_id) = $crate::store::personal::lookup_keys(identity);
                // With its webhook outbox row, when one is wanted, in one transaction.
                let mut tx = self.pool.begin().await?;
                sqlx::query("UPDATE visitors SET identity = $2, verified_user = $3, email = $4, user_id = $5 WHERE id = $1")
                    .bind(id)
                    .bind($crate::store::sql::rows::to_json(identity))
                    .bind(verified_user)
                    .bind(email)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                if let Some(row) = self.webhooks.identity_row(id, $crate::clock::now_ms()) {
                    sqlx::query($crate::store::sql::webhook::INSERT_OUTBOX)
                        .bind(&row.event_id)
                        .bind(&row.kind)
                        .bind(&row.session_id)
                        .bind(&row.visitor_id)
                        .bind(row.at)
                        .bind(&row.entry)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn add_page_view_sql(&self, visitor_id: &str, page: &protocol::PageInfo, at: i64) -> $crate::store::Result<()> {
                sqlx::query("INSERT INTO page_views (visitor_id, url, title, at) VALUES ($1, $2, $3, $4)")
                    .bind(visitor_id)
                    .bind($crate::store::personal::stored_page_url(&page.url))
                    .bind(&page.title)
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn page_views_sql(
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
        }
    };
}

pub(in crate::store) use visitor_sql;
