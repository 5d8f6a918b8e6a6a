-- Wrap-ups: the disposition tag and note an agent records once a session
-- has ended (the latest one; every wrap-up is also an event in the log).
ALTER TABLE sessions ADD COLUMN disposition TEXT;
ALTER TABLE sessions ADD COLUMN wrapup_note TEXT;
ALTER TABLE sessions ADD COLUMN wrapped_up_at BIGINT;
-- Verified identities: the user id a site signed (HMAC) for this visitor,
-- NULL when unverified. Visitors of one site sharing it are one customer
-- across devices; unverified claims are never merged.
ALTER TABLE visitors ADD COLUMN verified_user TEXT;
CREATE INDEX visitors_verified_user ON visitors (site_id, verified_user) WHERE verified_user IS NOT NULL;
