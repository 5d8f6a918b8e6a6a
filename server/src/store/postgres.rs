//! Postgres: the shared store when Tandem runs on several machines.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};

use super::Result;
use super::sql::{session_row_reader, sql_store};

pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
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
}

session_row_reader!(PostgresStore, PgRow);
sql_store!(PostgresStore);
