-- Tandem schema, PostgreSQL flavour. Times are milliseconds since the Unix epoch.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE sites (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    origins    TEXT NOT NULL, -- JSON array of allowed origins
    created_at BIGINT NOT NULL
);

CREATE TABLE agents (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    skills        TEXT NOT NULL, -- JSON array
    capacity      BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE agent_tokens (
    token_hash TEXT PRIMARY KEY, -- SHA-256 of the bearer token; the token itself is never stored
    agent_id   TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE visitors (
    id           TEXT PRIMARY KEY,
    site_id      TEXT NOT NULL,
    identity     TEXT NOT NULL, -- JSON VisitorIdentity
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    site_id           TEXT NOT NULL,
    visitor_id        TEXT NOT NULL REFERENCES visitors(id),
    state             TEXT NOT NULL,
    topic             TEXT,
    first_message     TEXT NOT NULL,
    page_url          TEXT,
    page_title        TEXT,
    agent_id          TEXT REFERENCES agents(id),
    requested_at      BIGINT NOT NULL,
    accepted_at       BIGINT,
    ended_at          BIGINT,
    ended_by          TEXT,
    last_seq          BIGINT NOT NULL DEFAULT 0,
    visitor_delivered BIGINT NOT NULL DEFAULT 0,
    visitor_read      BIGINT NOT NULL DEFAULT 0,
    agent_delivered   BIGINT NOT NULL DEFAULT 0,
    agent_read        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sessions_open ON sessions (state) WHERE state <> 'ended';
CREATE INDEX sessions_visitor ON sessions (visitor_id, requested_at);

CREATE TABLE events (
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    author      TEXT NOT NULL,
    author_name TEXT,
    body        TEXT NOT NULL, -- JSON EventBody, tagged by "kind"
    PRIMARY KEY (session_id, seq)
);

CREATE TABLE page_views (
    id         BIGSERIAL PRIMARY KEY,
    visitor_id TEXT NOT NULL,
    url        TEXT NOT NULL,
    title      TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX page_views_visitor ON page_views (visitor_id, at);
