-- What each account may do, a JSON list of "agent", "supervisor", "admin".
-- Accounts made before roles existed could do everything, and keep that
-- (no one is locked out of the team board or the library by an upgrade);
-- every account made from now on names its roles (`agent add --role`).
ALTER TABLE agents ADD COLUMN roles TEXT NOT NULL DEFAULT '["agent","supervisor","admin"]';
