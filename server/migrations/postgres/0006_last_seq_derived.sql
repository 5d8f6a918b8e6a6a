-- A session's last seq is read off its events (the (session_id, seq) key
-- answers MAX(seq) at once) instead of being moved on every batch of events:
-- that UPDATE rewrote a sessions page per session per commit.
ALTER TABLE sessions DROP COLUMN last_seq;
