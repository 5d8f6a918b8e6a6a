-- Webhooks (docs/api.md): subscriptions, the outbox of log entries written
-- in the same transaction as the entries (only kinds a subscription wants),
-- and each event's delivery to each subscription with its attempts.
CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    events     TEXT NOT NULL, -- JSON list of event types
    secret     TEXT NOT NULL, -- the HMAC key deliveries are signed with
    created_by TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE webhook_outbox (
    id         BIGSERIAL PRIMARY KEY,
    event_id   TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL, -- the log entry's kind, or 'identified'
    session_id TEXT,
    visitor_id TEXT,
    at         BIGINT NOT NULL,
    entry      TEXT           -- the log entry, JSON
);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    body            TEXT NOT NULL, -- exactly the bytes signed and sent, every attempt
    state           TEXT NOT NULL, -- pending, delivered, failed
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_status     BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    next_attempt_at BIGINT,
    give_up_at      BIGINT NOT NULL,
    delivered_at    BIGINT,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_listed ON webhook_deliveries (webhook_id, created_at);
