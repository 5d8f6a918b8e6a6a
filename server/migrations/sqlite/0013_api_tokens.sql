-- API tokens for integrations (docs/api.md): made by admins, scoped
-- read/write/admin, stored only as the SHA-256 of the secret, revocable.
-- last_used_at is refreshed at most once a minute.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    scope        TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   TEXT,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

-- Idempotency-Key of POST requests: the first answer to a key is kept for
-- 24 hours and replayed to a retry of the same request. `status` is NULL
-- while the first request is still being answered.
CREATE TABLE idempotency_keys (
    owner        TEXT NOT NULL, -- SHA-256 of the caller's bearer token
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT,
    body         TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (owner, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- The integration API lists conversations newest first, by request time.
CREATE INDEX sessions_requested ON sessions (requested_at, id);
