-- Leases held by one node of a cluster at a time (server/src/cluster/lease.rs):
-- 'core' is the node that runs the hub. `epoch` grows with every new holder;
-- the event writer checks it in each transaction, so a node that lost the
-- lease (paused, cut off) can no longer append to any session's log.
CREATE TABLE cluster_lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    epoch BIGINT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
