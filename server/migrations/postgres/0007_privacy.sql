-- Personal data (docs/privacy.md). How many days a site keeps it after a
-- conversation ends or a visitor was last seen; NULL keeps it until erased.
ALTER TABLE sites ADD COLUMN retain_days BIGINT;
-- What `tandem visitor export|erase` looks people up by: the email (lower
-- case) and the site's user id the visitor gave, verified or not.
ALTER TABLE visitors ADD COLUMN email TEXT;
ALTER TABLE visitors ADD COLUMN user_id TEXT;
UPDATE visitors SET email = lower(identity::json->>'email'), user_id = identity::json->>'id';
CREATE INDEX visitors_email ON visitors (email) WHERE email IS NOT NULL;
CREATE INDEX visitors_user_id ON visitors (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX visitors_last_seen ON visitors (site_id, last_seen_at);
-- When a session's personal data was erased (by hand or by retention); its
-- row stays, anonymous, so the figures of its day do not change.
ALTER TABLE sessions ADD COLUMN erased_at BIGINT;
CREATE INDEX sessions_to_purge ON sessions (site_id, ended_at) WHERE erased_at IS NULL AND ended_at IS NOT NULL;
CREATE INDEX page_views_at ON page_views (at);
CREATE INDEX agent_tokens_expiry ON agent_tokens (expires_at);
-- A call-back's email (lower case) or phone number (digits and +), so a
-- person who only left a contact is found by it too.
ALTER TABLE sessions ADD COLUMN contact TEXT;
UPDATE sessions SET contact = COALESCE(lower(callback::json->>'email'),
    replace(replace(replace(replace(replace(callback::json->>'phone', ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''))
    WHERE callback IS NOT NULL;
CREATE INDEX sessions_contact ON sessions (contact) WHERE contact IS NOT NULL;
