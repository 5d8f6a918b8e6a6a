//! The schema's migrations (each database keeps its own folder of them, as
//! their DDL differs) and the `settings` table of server-wide values.

/// `Store::migrate`, `Store::ping` and `Store::setting_or_insert` as inherent `…_sql`
/// methods of a store type with a `pool` and a `MIGRATIONS: &[(i64, &str)]`
/// associated constant.
macro_rules! schema_sql {
    ($store:ty) => {
        impl $store {
            async fn migrate_sql(&self) -> $crate::store::Result<()> {
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

            async fn ping_sql(&self) -> $crate::store::Result<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn setting_or_insert_sql(&self, key: &str, value: &str) -> $crate::store::Result<String> {
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                    .bind(key)
                    .bind(value)
                    .execute(&self.pool)
                    .await?;
                Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_one(&self.pool).await?)
            }
        }
    };
}

pub(in crate::store) use schema_sql;
