//! The core lease, kept in Postgres: at most one node at a time runs the
//! hub (the distributor, the sessions' numbering, the live state). A node
//! takes the lease when it is free or expired, renews it well inside its
//! lifetime, and gives it up when it stops; every new holder gets a higher
//! `epoch`, which the event writer checks in each transaction
//! (`Store::fence_events`), so a holder that lost the lease without knowing
//! it (paused, cut off from the database) can no longer write.
//!
//! Expiry is judged by the database's clock alone (`clock_timestamp()`), so
//! the nodes' clocks may disagree. The lease lives in Postgres, not Redis,
//! because the fence must be checked where the events are committed.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

/// Who holds the core lease: a node id and its epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub node: String,
    pub epoch: i64,
}

pub struct Lease {
    pool: PgPool,
    /// This node's id.
    node: String,
    ttl: Duration,
}

impl Lease {
    /// Connects with a pool of its own (two connections), so that renewing
    /// never waits behind the store's queries.
    pub async fn connect(database_url: &str, node: &str, ttl: Duration) -> anyhow::Result<Lease> {
        let options = PgConnectOptions::from_str(database_url)?;
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(ttl / 2)
            .connect_with(options)
            .await?;
        Ok(Lease {
            pool,
            node: node.to_string(),
            ttl,
        })
    }

    fn ttl_ms(&self) -> i64 {
        self.ttl.as_millis() as i64
    }

    /// Takes the lease if nobody holds it or it expired: the new epoch, or
    /// `None` when another node holds it.
    pub async fn try_acquire(&self) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar(
            "INSERT INTO cluster_lease (name, holder, epoch, expires_at)
             VALUES ('core', $1, 1, clock_timestamp() + $2 * interval '1 millisecond')
             ON CONFLICT (name) DO UPDATE
                SET holder = EXCLUDED.holder, epoch = cluster_lease.epoch + 1,
                    expires_at = EXCLUDED.expires_at
                WHERE cluster_lease.expires_at < clock_timestamp()
             RETURNING epoch",
        )
        .bind(&self.node)
        .bind(self.ttl_ms())
        .fetch_optional(&self.pool)
        .await
    }

    /// Extends the lease held at `epoch`; false if it is no longer ours.
    pub async fn renew(&self, epoch: i64) -> sqlx::Result<bool> {
        let renewed = sqlx::query(
            "UPDATE cluster_lease
                SET expires_at = clock_timestamp() + $3 * interval '1 millisecond'
              WHERE name = 'core' AND holder = $1 AND epoch = $2
                AND expires_at >= clock_timestamp()",
        )
        .bind(&self.node)
        .bind(epoch)
        .bind(self.ttl_ms())
        .execute(&self.pool)
        .await?;
        Ok(renewed.rows_affected() == 1)
    }

    /// Gives the lease up at once, so another node takes over without
    /// waiting for it to expire (a node stopping on purpose).
    pub async fn release(&self, epoch: i64) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE cluster_lease SET expires_at = clock_timestamp() - interval '1 second'
              WHERE name = 'core' AND holder = $1 AND epoch = $2",
        )
        .bind(&self.node)
        .bind(epoch)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The current holder, if the lease has not expired.
    pub async fn holder(&self) -> sqlx::Result<Option<Holder>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT holder, epoch FROM cluster_lease
              WHERE name = 'core' AND expires_at >= clock_timestamp()",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(node, epoch)| Holder { node, epoch }))
    }
}
