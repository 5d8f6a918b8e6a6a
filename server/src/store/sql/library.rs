//! The `library_items` table: the agents' canned responses and articles.

/// `Store`'s library methods as inherent `…_sql` methods of a store type with a `pool`.
macro_rules! library_sql {
    ($store:ty) => {
        impl $store {
            async fn library_sql(&self) -> $crate::store::Result<Vec<$crate::store::LibraryItem>> {
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
                            keywords: $crate::store::sql::rows::json_list(&keywords)?,
                        })
                    })
                    .collect()
            }

            async fn put_library_item_sql(&self, item: &$crate::store::LibraryItem, now: i64) -> $crate::store::Result<()> {
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
                .bind($crate::store::sql::rows::to_json(&item.keywords))
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err($crate::store::sql::rows::conflict("shortcut"))?;
                Ok(())
            }

            async fn delete_library_item_sql(&self, id: &str) -> $crate::store::Result<bool> {
                let done = sqlx::query("DELETE FROM library_items WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}

pub(in crate::store) use library_sql;
