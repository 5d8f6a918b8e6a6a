-- The agents' library: canned responses (kind 'canned', expanded from
-- /shortcut in the composer) and knowledge-base articles (kind 'article',
-- suggested when their keywords match what the visitor wrote).
CREATE TABLE library_items (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    shortcut TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    keywords TEXT NOT NULL DEFAULT '[]',
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX library_items_shortcut ON library_items (shortcut) WHERE shortcut IS NOT NULL;
