-- Voice calls per site: 'off', 'agent' (only agents start calls) or 'both'
-- (visitors may start them too). Existing sites keep the default.
ALTER TABLE sites ADD COLUMN voice TEXT NOT NULL DEFAULT 'agent';
