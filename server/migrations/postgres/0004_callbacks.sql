-- When nobody can answer: a waiting session may become a message or a call
-- back (JSON protocol::Callback), offered to agents once due.
ALTER TABLE sessions ADD COLUMN callback TEXT;
-- A site's opening hours ("mon-fri 09:00-18:00") in its IANA time zone, and
-- the longest estimated wait before visitors are offered to leave a message.
ALTER TABLE sites ADD COLUMN hours TEXT;
ALTER TABLE sites ADD COLUMN timezone TEXT;
ALTER TABLE sites ADD COLUMN max_wait_secs BIGINT;
