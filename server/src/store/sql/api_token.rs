//! The `api_tokens` table (integrations' bearer tokens, by hash) and the
//! `idempotency_keys` of POST requests.

use protocol::integration::{ApiToken, TokenScope};

use crate::store::{Result, StoreError};

pub(in crate::store) const TOKEN_COLUMNS: &str =
    "id, name, scope, created_by, created_at, last_used_at, revoked_at";

/// An `api_tokens` row as `TOKEN_COLUMNS` selects it.
pub(in crate::store) type TokenRow = (
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
);

pub(in crate::store) fn token_from(
    (id, name, scope, created_by, created_at, last_used_at, revoked_at): TokenRow,
) -> Result<ApiToken> {
    let scope = TokenScope::parse(&scope)
        .ok_or_else(|| StoreError::Corrupt(format!("token scope {scope:?}")))?;
    Ok(ApiToken {
        id,
        name,
        scope,
        created_by,
        created_at,
        last_used_at,
        revoked_at,
    })
}

/// How stale `last_used_at` may get before a use writes it again: one
/// write a minute per token, not one per request.
pub(in crate::store) const LAST_USED_GRANULARITY_MS: i64 = 60_000;

/// A claim on a key whose first request never finished (its server died)
/// is taken over after this long.
pub(in crate::store) const STALE_CLAIM_MS: i64 = 60_000;

/// `Store`'s API token and idempotency methods as inherent `…_sql` methods.
macro_rules! api_token_sql {
    ($store:ty) => {
        impl $store {
            async fn add_api_token_sql(
                &self,
                t: &$crate::store::ApiToken,
                token_hash: &str,
            ) -> $crate::store::Result<()> {
                sqlx::query(
                    "INSERT INTO api_tokens (id, name, scope, token_hash, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&t.id)
                .bind(&t.name)
                .bind(t.scope.as_str())
                .bind(token_hash)
                .bind(&t.created_by)
                .bind(t.created_at)
                .execute(&self.pool)
                .await
                .map_err($crate::store::sql::rows::conflict("token"))?;
                Ok(())
            }

            async fn api_tokens_sql(&self) -> $crate::store::Result<Vec<$crate::store::ApiToken>> {
                let q = format!(
                    "SELECT {} FROM api_tokens ORDER BY created_at DESC, id",
                    $crate::store::sql::api_token::TOKEN_COLUMNS
                );
                let rows: Vec<$crate::store::sql::api_token::TokenRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(q)).fetch_all(&self.pool).await?;
                rows.into_iter().map($crate::store::sql::api_token::token_from).collect()
            }

            async fn api_token_by_hash_sql(
                &self,
                token_hash: &str,
                now: i64,
            ) -> $crate::store::Result<Option<$crate::store::ApiToken>> {
                let q = format!(
                    "SELECT {} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
                    $crate::store::sql::api_token::TOKEN_COLUMNS
                );
                let row: Option<$crate::store::sql::api_token::TokenRow> = sqlx::query_as(sqlx::AssertSqlSafe(q))
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                let Some(mut token) = row.map($crate::store::sql::api_token::token_from).transpose()? else {
                    return Ok(None);
                };
                let stale = now - $crate::store::sql::api_token::LAST_USED_GRANULARITY_MS;
                if token.last_used_at.is_none_or(|at| at <= stale) {
                    sqlx::query(
                        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 \
                         AND (last_used_at IS NULL OR last_used_at <= $3)",
                    )
                    .bind(now)
                    .bind(&token.id)
                    .bind(stale)
                    .execute(&self.pool)
                    .await?;
                    token.last_used_at = Some(now);
                }
                Ok(Some(token))
            }

            async fn revoke_api_token_sql(&self, id: &str, now: i64) -> $crate::store::Result<bool> {
                let done = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                )
                .bind(now)
                .bind(id)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn claim_idempotency_key_sql(
                &self,
                owner: &str,
                key: &str,
                request_hash: &str,
                now: i64,
            ) -> $crate::store::Result<$crate::store::IdempotencyClaim> {
                let inserted = sqlx::query(
                    "INSERT INTO idempotency_keys (owner, idem_key, request_hash, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (owner, idem_key) DO NOTHING",
                )
                .bind(owner)
                .bind(key)
                .bind(request_hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
                if inserted.rows_affected() == 1 {
                    return Ok($crate::store::IdempotencyClaim::New);
                }
                // A claim left by a request that never finished is taken over.
                let taken = sqlx::query(
                    "UPDATE idempotency_keys SET request_hash = $1, created_at = $2 \
                     WHERE owner = $3 AND idem_key = $4 AND status IS NULL AND created_at <= $5",
                )
                .bind(request_hash)
                .bind(now)
                .bind(owner)
                .bind(key)
                .bind(now - $crate::store::sql::api_token::STALE_CLAIM_MS)
                .execute(&self.pool)
                .await?;
                if taken.rows_affected() == 1 {
                    return Ok($crate::store::IdempotencyClaim::New);
                }
                let row: Option<(String, Option<i64>, Option<String>)> = sqlx::query_as(
                    "SELECT request_hash, status, body FROM idempotency_keys WHERE owner = $1 AND idem_key = $2",
                )
                .bind(owner)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
                Ok(match row {
                    // Purged in between: the key is free again.
                    None => $crate::store::IdempotencyClaim::New,
                    Some((request_hash, Some(status), body)) => $crate::store::IdempotencyClaim::Done {
                        request_hash,
                        status: status.clamp(100, 599) as u16,
                        body: body.unwrap_or_default(),
                    },
                    Some((request_hash, None, _)) => {
                        $crate::store::IdempotencyClaim::InFlight { request_hash }
                    }
                })
            }

            async fn finish_idempotency_key_sql(
                &self,
                owner: &str,
                key: &str,
                outcome: Option<(u16, &str)>,
            ) -> $crate::store::Result<()> {
                let q = match outcome {
                    Some((status, body)) => sqlx::query(
                        "UPDATE idempotency_keys SET status = $1, body = $2 WHERE owner = $3 AND idem_key = $4",
                    )
                    .bind(i64::from(status))
                    .bind(body),
                    None => sqlx::query(
                        "DELETE FROM idempotency_keys WHERE owner = $1 AND idem_key = $2 AND status IS NULL",
                    ),
                };
                q.bind(owner).bind(key).execute(&self.pool).await?;
                Ok(())
            }

            async fn purge_idempotency_keys_sql(&self, before: i64, batch: u32) -> $crate::store::Result<u64> {
                let done = sqlx::query(
                    "DELETE FROM idempotency_keys WHERE (owner, idem_key) IN \
                     (SELECT owner, idem_key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)",
                )
                .bind(before)
                .bind(i64::from(batch))
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(in crate::store) use api_token_sql;
