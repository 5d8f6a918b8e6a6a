-- Kept in step with Postgres's migrations; a cluster needs Postgres, so a
-- single SQLite node never holds a lease (server/src/cluster/lease.rs).
CREATE TABLE cluster_lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
