-- Agent accounts can be disabled (no login, no live socket, no offers; undone
-- by enabling) and removed (never again; the row stays because sessions and
-- their transcripts name the agent who served them).
ALTER TABLE agents ADD COLUMN disabled_at BIGINT;
ALTER TABLE agents ADD COLUMN removed_at BIGINT;

-- Logins compare emails in lower case. `tandem agent add` always stored them
-- so; rows written otherwise are lowered here unless that would collide with
-- another account (rows differing only in case are left as they are for an
-- operator to sort out; a mixed-case one cannot log in until then).
UPDATE agents SET email = lower(email)
WHERE email <> lower(email)
  AND NOT EXISTS (SELECT 1 FROM agents other WHERE other.id <> agents.id AND lower(other.email) = lower(agents.email));

-- Live sockets re-check their tokens by hash (see auth/live_tokens.rs); the
-- primary key answers that. Revoking every token of an agent reads this one.
CREATE INDEX agent_tokens_agent ON agent_tokens (agent_id);
