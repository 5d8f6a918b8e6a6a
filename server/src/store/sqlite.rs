//! SQLite: the embedded default, one file on one machine.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};

use protocol::Event;

use super::error::{Result, StoreError};
use super::sql::sql_store;
use super::sqlite_events::EventThread;

pub struct SqliteStore {
    pool: SqlitePool,
    /// Session events are written on a connection of their own.
    events: EventThread,
    /// Which entries go to the webhook outbox with them.
    webhooks: super::outbox::Interest,
}

impl SqliteStore {
    /// Takes the write lock at once (see sql/personal.rs).
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";

    const MIGRATIONS: &[(i64, &str)] = &[
        (1, include_str!("../../migrations/sqlite/0001_init.sql")),
        (
            2,
            include_str!("../../migrations/sqlite/0002_site_voice.sql"),
        ),
        (3, include_str!("../../migrations/sqlite/0003_library.sql")),
        (
            4,
            include_str!("../../migrations/sqlite/0004_callbacks.sql"),
        ),
        (5, include_str!("../../migrations/sqlite/0005_wrapup.sql")),
        (
            6,
            include_str!("../../migrations/sqlite/0006_last_seq_derived.sql"),
        ),
        (7, include_str!("../../migrations/sqlite/0007_privacy.sql")),
        (
            8,
            include_str!("../../migrations/sqlite/0008_agent_status.sql"),
        ),
        (
            9,
            include_str!("../../migrations/sqlite/0009_site_legacy_identity_hash.sql"),
        ),
        (
            10,
            include_str!("../../migrations/sqlite/0010_agent_presence.sql"),
        ),
        (
            11,
            include_str!("../../migrations/sqlite/0011_cluster_lease.sql"),
        ),
        (
            12,
            include_str!("../../migrations/sqlite/0012_agent_roles.sql"),
        ),
        (
            13,
            include_str!("../../migrations/sqlite/0013_api_tokens.sql"),
        ),
        (
            14,
            include_str!("../../migrations/sqlite/0014_webhooks.sql"),
        ),
        (
            15,
            include_str!("../../migrations/sqlite/0015_site_screen_pop.sql"),
        ),
    ];

    /// Opens (creating if needed) the database file a `sqlite://path` URL names.
    pub async fn connect(url: &str) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            // WAL lets readers proceed during a write; NORMAL sync is durable
            // across application crashes, which is what a chat log needs.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let file = options.get_filename().to_path_buf();
        if file.as_os_str() == ":memory:" {
            // Each connection would get a database of its own.
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        }
        if let Some(parent) = file.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        // The pool created the file and put it in WAL mode.
        let events = EventThread::start(&file)?;
        Ok(SqliteStore {
            pool,
            events,
            webhooks: Default::default(),
        })
    }

    /// `Store::fence_events`: one SQLite file has one node, never fenced.
    fn set_fence(&self, _epoch: Option<i64>) {}

    async fn write_events(&self, batch: &[(String, Event)]) -> Result<()> {
        self.events.append(batch, self.webhooks.rows(batch)).await
    }
}

sql_store!(SqliteStore, SqliteRow, sqlx::Sqlite);
