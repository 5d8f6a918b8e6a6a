//! Postgres: the shared store when Tandem runs on several machines.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};

use protocol::Event;

use super::error::Result;
use super::sql::rows::{conflict, to_json};
use super::sql::sql_store;

pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Row locks are taken as rows are written; nothing to ask for up front.
    const BEGIN_WRITE: &'static str = "BEGIN";

    const MIGRATIONS: &[(i64, &str)] = &[
        (1, include_str!("../../migrations/postgres/0001_init.sql")),
        (
            2,
            include_str!("../../migrations/postgres/0002_site_voice.sql"),
        ),
        (
            3,
            include_str!("../../migrations/postgres/0003_library.sql"),
        ),
        (
            4,
            include_str!("../../migrations/postgres/0004_callbacks.sql"),
        ),
        (5, include_str!("../../migrations/postgres/0005_wrapup.sql")),
        (
            6,
            include_str!("../../migrations/postgres/0006_last_seq_derived.sql"),
        ),
        (
            7,
            include_str!("../../migrations/postgres/0007_privacy.sql"),
        ),
        (
            8,
            include_str!("../../migrations/postgres/0008_agent_status.sql"),
        ),
        (
            9,
            include_str!("../../migrations/postgres/0009_site_legacy_identity_hash.sql"),
        ),
        (
            10,
            include_str!("../../migrations/postgres/0010_agent_presence.sql"),
        ),
    ];

    pub async fn connect(url: &str) -> Result<PostgresStore> {
        Self::connect_with(PgConnectOptions::from_str(url)?).await
    }

    /// Connects with prepared options (tests use this to pick a private schema).
    pub async fn connect_with(options: PgConnectOptions) -> Result<PostgresStore> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options)
            .await?;
        Ok(PostgresStore { pool })
    }

    /// `Store::append_events`: one transaction, a statement per event.
    async fn write_events(&self, batch: &[(String, Event)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (session_id, e) in batch {
            sqlx::query(
                "INSERT INTO events (session_id, seq, at, author, author_name, body) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(session_id)
            .bind(e.seq as i64)
            .bind(e.at)
            .bind(e.author.as_str())
            .bind(&e.author_name)
            .bind(to_json(&e.body))
            .execute(&mut *tx)
            .await
            .map_err(conflict("event"))?;
        }
        tx.commit().await?;
        Ok(())
    }
}

sql_store!(PostgresStore, PgRow, sqlx::Postgres);
