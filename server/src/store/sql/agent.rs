//! The `agents` table and their login tokens (`agent_tokens`).

use super::rows::json_list;
use crate::store::{Agent, AgentStatus, Result, TokenState};

pub(in crate::store) const AGENT_COLUMNS: &str = "id, email, name, skills, capacity, roles";

/// An `agents` row as `AGENT_COLUMNS` selects it.
pub(in crate::store) type AgentRow = (String, String, String, String, i64, String);

pub(in crate::store) fn agent_from(
    (id, email, name, skills, capacity, roles): AgentRow,
) -> Result<Agent> {
    Ok(Agent {
        id,
        email,
        name,
        skills: json_list(&skills)?,
        capacity: capacity.clamp(0, u32::MAX as i64) as u32,
        // A role this build does not know (written by a newer one) is
        // ignored rather than refused: it grants nothing here.
        roles: json_list(&roles)?
            .iter()
            .filter_map(|r| protocol::api::AgentRole::parse(r))
            .collect(),
    })
}

/// Token hashes (or agent ids) looked up per statement by `agent_token_states`
/// (`agent_statuses`).
pub(in crate::store) const TOKENS_PER_QUERY: usize = 500;

/// `$1, $2, … $n`: placeholders for an `IN (…)` list; no values.
fn placeholders(n: usize) -> String {
    let list: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    list.join(", ")
}

/// `agent_token_states` for `n` hashes.
pub(in crate::store) fn token_states_query(n: usize) -> String {
    format!(
        "SELECT t.token_hash, t.agent_id, t.expires_at, a.disabled_at, a.removed_at \
         FROM agent_tokens t JOIN agents a ON a.id = t.agent_id WHERE t.token_hash IN ({})",
        placeholders(n)
    )
}

/// `agent_statuses` for `n` ids.
pub(in crate::store) fn agent_statuses_query(n: usize) -> String {
    format!(
        "SELECT id, disabled_at, removed_at FROM agents WHERE id IN ({})",
        placeholders(n)
    )
}

pub(in crate::store) fn agent_status(disabled: Option<i64>, removed: Option<i64>) -> AgentStatus {
    match (disabled, removed) {
        (_, Some(_)) => AgentStatus::Removed,
        (Some(_), None) => AgentStatus::Disabled,
        (None, None) => AgentStatus::Active,
    }
}

pub(in crate::store) fn token_state_from(
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

/// `Store`'s agent and token methods as inherent `…_sql` methods of a store
/// type with a `pool`.
macro_rules! agent_sql {
    ($store:ty) => {
        impl $store {
            async fn add_agent_sql(&self, agent: &$crate::store::Agent, password_hash: &str, now: i64) -> $crate::store::Result<()> {
                sqlx::query(
                    "INSERT INTO agents (id, email, name, password_hash, skills, capacity, created_at, roles) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&agent.id)
                .bind(&agent.email)
                .bind(&agent.name)
                .bind(password_hash)
                .bind($crate::store::sql::rows::to_json(&agent.skills))
                .bind(agent.capacity as i64)
                .bind(now)
                .bind($crate::store::sql::rows::to_json(&agent.roles))
                .execute(&self.pool)
                .await
                .map_err($crate::store::sql::rows::conflict("agent"))?;
                Ok(())
            }

            async fn set_agent_roles_sql(&self, email: &str, roles: &[protocol::api::AgentRole]) -> $crate::store::Result<bool> {
                let changed = sqlx::query("UPDATE agents SET roles = $2 WHERE email = $1 AND removed_at IS NULL")
                    .bind(email)
                    .bind($crate::store::sql::rows::to_json(&roles))
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(changed > 0)
            }

            async fn set_agent_password_sql(&self, email: &str, password_hash: &str) -> $crate::store::Result<bool> {
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

            async fn set_agent_status_sql(
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

            async fn agent_credentials_sql(
                &self,
                email: &str,
            ) -> $crate::store::Result<Option<($crate::store::Agent, String)>> {
                let q = format!(
                    "SELECT {}, password_hash FROM agents WHERE email = $1 AND disabled_at IS NULL AND removed_at IS NULL",
                    $crate::store::sql::agent::AGENT_COLUMNS
                );
                let row: Option<(String, String, String, String, i64, String, String)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(q)).bind(email).fetch_optional(&self.pool).await?;
                match row {
                    Some((id, email, name, skills, cap, roles, hash)) => {
                        let agent = $crate::store::sql::agent::agent_from((id, email, name, skills, cap, roles))?;
                        Ok(Some((agent, hash)))
                    }
                    None => Ok(None),
                }
            }

            async fn agents_sql(
                &self,
            ) -> $crate::store::Result<Vec<($crate::store::Agent, $crate::store::AgentStatus)>> {
                let q = format!(
                    "SELECT {}, disabled_at FROM agents WHERE removed_at IS NULL ORDER BY name, id",
                    $crate::store::sql::agent::AGENT_COLUMNS
                );
                let rows: Vec<(String, String, String, String, i64, String, Option<i64>)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(q)).fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|(id, email, name, skills, capacity, roles, disabled)| {
                        let agent = $crate::store::sql::agent::agent_from((id, email, name, skills, capacity, roles))?;
                        Ok((agent, $crate::store::sql::agent::agent_status(disabled, None)))
                    })
                    .collect()
            }

            async fn agent_sql(&self, id: &str) -> $crate::store::Result<Option<$crate::store::Agent>> {
                let q = format!("SELECT {} FROM agents WHERE id = $1", $crate::store::sql::agent::AGENT_COLUMNS);
                let row: Option<$crate::store::sql::agent::AgentRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(q)).bind(id).fetch_optional(&self.pool).await?;
                row.map($crate::store::sql::agent::agent_from).transpose()
            }

            async fn add_agent_token_sql(
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
                    .map_err($crate::store::sql::rows::conflict("token"))?;
                Ok(())
            }

            async fn agent_by_token_sql(&self, token_hash: &str, now: i64) -> $crate::store::Result<Option<$crate::store::Agent>> {
                let q = format!(
                    "SELECT {} FROM agents WHERE id = (SELECT agent_id FROM agent_tokens WHERE token_hash = $1 AND expires_at > $2) \
                     AND disabled_at IS NULL AND removed_at IS NULL",
                    $crate::store::sql::agent::AGENT_COLUMNS
                );
                let row: Option<$crate::store::sql::agent::AgentRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(q)).bind(token_hash).bind(now).fetch_optional(&self.pool).await?;
                row.map($crate::store::sql::agent::agent_from).transpose()
            }

            async fn delete_agent_token_sql(&self, token_hash: &str) -> $crate::store::Result<()> {
                sqlx::query("DELETE FROM agent_tokens WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
                Ok(())
            }

            async fn purge_expired_tokens_sql(&self, now: i64, batch: u32) -> $crate::store::Result<u64> {
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

            async fn agent_token_states_sql(
                &self,
                token_hashes: &[String],
            ) -> $crate::store::Result<Vec<$crate::store::TokenState>> {
                let mut states = Vec::with_capacity(token_hashes.len());
                // Chunks keep the placeholder count far below both databases'
                // limits (SQLite 32,766, Postgres 65,535).
                for chunk in token_hashes.chunks($crate::store::sql::agent::TOKENS_PER_QUERY) {
                    let q = $crate::store::sql::agent::token_states_query(chunk.len());
                    let mut query = sqlx::query_as::<_, (String, String, i64, Option<i64>, Option<i64>)>(sqlx::AssertSqlSafe(q));
                    for hash in chunk {
                        query = query.bind(hash);
                    }
                    for row in query.fetch_all(&self.pool).await? {
                        states.push($crate::store::sql::agent::token_state_from(row));
                    }
                }
                Ok(states)
            }

            async fn agent_statuses_sql(
                &self,
                agent_ids: &[String],
            ) -> $crate::store::Result<Vec<(String, $crate::store::AgentStatus)>> {
                let mut statuses = Vec::with_capacity(agent_ids.len());
                for chunk in agent_ids.chunks($crate::store::sql::agent::TOKENS_PER_QUERY) {
                    let q = $crate::store::sql::agent::agent_statuses_query(chunk.len());
                    let mut query = sqlx::query_as::<_, (String, Option<i64>, Option<i64>)>(sqlx::AssertSqlSafe(q));
                    for id in chunk {
                        query = query.bind(id);
                    }
                    for (id, disabled, removed) in query.fetch_all(&self.pool).await? {
                        statuses.push((id, $crate::store::sql::agent::agent_status(disabled, removed)));
                    }
                }
                Ok(statuses)
            }

            async fn set_agent_presence_sql(
                &self,
                agent_id: &str,
                presence: protocol::AgentPresence,
            ) -> $crate::store::Result<()> {
                sqlx::query("UPDATE agents SET presence = $1 WHERE id = $2")
                    .bind(presence.as_str())
                    .bind(agent_id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn agent_presence_sql(
                &self,
                agent_id: &str,
            ) -> $crate::store::Result<Option<protocol::AgentPresence>> {
                let stored: Option<Option<String>> =
                    sqlx::query_scalar("SELECT presence FROM agents WHERE id = $1")
                        .bind(agent_id)
                        .fetch_optional(&self.pool)
                        .await?;
                stored
                    .flatten()
                    .map(|p| {
                        protocol::AgentPresence::parse(&p)
                            .ok_or_else(|| $crate::store::StoreError::Corrupt(format!("agent presence {p:?}")))
                    })
                    .transpose()
            }
        }
    };
}

pub(in crate::store) use agent_sql;
