-- Identity verification: sites now verify visitors with expiring signed
-- tokens (JWT). The bare HMAC of a user id, which anyone who saw it once can
-- replay forever, verifies only where an operator turns it back on with
-- `tandem site add <id> --legacy-identity-hash on`. Existing sites are off
-- too: a refused hash leaves the visitor unverified (no history shown),
-- which fails safe; docs/security.md explains the migration.
ALTER TABLE sites ADD COLUMN legacy_identity_hash BOOLEAN NOT NULL DEFAULT 0;
