//! Postgres: the shared store when Tandem runs on several machines.

use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};

use protocol::Event;

use super::error::{Result, StoreError};
use super::sql::rows::{conflict, to_json};
use super::sql::sql_store;

pub struct PostgresStore {
    pool: PgPool,
    /// The epoch of the cluster's core lease this node holds, 0 when it
    /// holds none or runs alone: see `set_fence`.
    fence: AtomicI64,
    /// Which entries go to the webhook outbox with them.
    webhooks: super::outbox::Interest,
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
        (
            11,
            include_str!("../../migrations/postgres/0011_cluster_lease.sql"),
        ),
        (
            12,
            include_str!("../../migrations/postgres/0012_agent_roles.sql"),
        ),
        (
            13,
            include_str!("../../migrations/postgres/0013_api_tokens.sql"),
        ),
        (
            14,
            include_str!("../../migrations/postgres/0014_webhooks.sql"),
        ),
        (
            15,
            include_str!("../../migrations/postgres/0015_site_screen_pop.sql"),
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
        Ok(PostgresStore {
            pool,
            fence: AtomicI64::new(0),
            webhooks: Default::default(),
        })
    }

    /// `Store::fence_events`: from now on each batch of events commits only
    /// while the cluster's core lease still has this epoch. The check takes
    /// a shared lock on the lease row inside the batch's transaction, so a
    /// node taking the lease over waits for batches in flight, and every
    /// later batch of the old holder fails: a paused or cut-off node cannot
    /// number events behind the new core's back.
    fn set_fence(&self, epoch: Option<i64>) {
        self.fence.store(epoch.unwrap_or(0), Ordering::SeqCst);
    }

    /// `Store::append_events`: one transaction, a statement per event.
    async fn write_events(&self, batch: &[(String, Event)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let fence = self.fence.load(Ordering::SeqCst);
        if fence != 0 {
            let held: Option<i64> =
                sqlx::query_scalar("SELECT epoch FROM cluster_lease WHERE name = 'core' FOR SHARE")
                    .fetch_optional(&mut *tx)
                    .await?;
            if held != Some(fence) {
                return Err(StoreError::Fenced);
            }
        }
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
        for o in self.webhooks.rows(batch) {
            sqlx::query(super::sql::webhook::INSERT_OUTBOX)
                .bind(&o.event_id)
                .bind(&o.kind)
                .bind(&o.session_id)
                .bind(&o.visitor_id)
                .bind(o.at)
                .bind(&o.entry)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

sql_store!(PostgresStore, PgRow, sqlx::Postgres);
