//! The `sites` table: the websites that embed the widget and their settings.

use super::rows::json_list;
use crate::store::{Result, Site, StoreError};

/// id, name, origins, voice, hours, timezone, max_wait_secs, retain_days,
/// legacy_identity_hash, screen_pop.
pub(in crate::store) type SiteRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    bool,
    Option<String>,
);

pub(in crate::store) const SITE_COLUMNS: &str = "id, name, origins, voice, hours, timezone, max_wait_secs, retain_days, legacy_identity_hash, screen_pop";

pub(in crate::store) fn site_from(
    (
        id,
        name,
        origins,
        voice,
        hours,
        timezone,
        max_wait,
        retain_days,
        legacy_identity_hash,
        screen_pop,
    ): SiteRow,
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
        screen_pop,
    })
}

/// `Store`'s site methods as inherent `…_sql` methods of a store type with a `pool`.
macro_rules! site_sql {
    ($store:ty) => {
        impl $store {
            async fn upsert_site_sql(&self, site: &$crate::store::Site, now: i64) -> $crate::store::Result<()> {
                sqlx::query(
                    "INSERT INTO sites (id, name, origins, created_at, voice, hours, timezone, max_wait_secs, retain_days, legacy_identity_hash, screen_pop) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, origins = excluded.origins, voice = excluded.voice, \
                     hours = excluded.hours, timezone = excluded.timezone, max_wait_secs = excluded.max_wait_secs, \
                     retain_days = excluded.retain_days, legacy_identity_hash = excluded.legacy_identity_hash, \
                     screen_pop = excluded.screen_pop",
                )
                .bind(&site.id)
                .bind(&site.name)
                .bind($crate::store::sql::rows::to_json(&site.origins))
                .bind(now)
                .bind(site.voice.as_str())
                .bind(&site.hours)
                .bind(&site.timezone)
                .bind(site.max_wait_secs.map(i64::from))
                .bind(site.retain_days.map(i64::from))
                .bind(site.legacy_identity_hash)
                .bind(&site.screen_pop)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn site_sql(&self, id: &str) -> $crate::store::Result<Option<$crate::store::Site>> {
                let q = format!("SELECT {} FROM sites WHERE id = $1", $crate::store::sql::site::SITE_COLUMNS);
                let row: Option<$crate::store::sql::site::SiteRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(q)).bind(id).fetch_optional(&self.pool).await?;
                row.map($crate::store::sql::site::site_from).transpose()
            }

            async fn sites_sql(&self) -> $crate::store::Result<Vec<$crate::store::Site>> {
                let q = format!("SELECT {} FROM sites ORDER BY id", $crate::store::sql::site::SITE_COLUMNS);
                let rows: Vec<$crate::store::sql::site::SiteRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(q)).fetch_all(&self.pool).await?;
                rows.into_iter().map($crate::store::sql::site::site_from).collect()
            }
        }
    };
}

pub(in crate::store) use site_sql;
