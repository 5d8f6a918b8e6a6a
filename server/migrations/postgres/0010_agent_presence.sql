-- An agent's presence (online, away, offline) as they last set it, so that a
-- restarted server, or another node, offers them requests again without
-- waiting for them to notice; NULL until they first set one (offline).
ALTER TABLE agents ADD COLUMN presence TEXT;
