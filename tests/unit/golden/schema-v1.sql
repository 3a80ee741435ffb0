-- The wallet database at schema version 1, with sample rows. Never edit: add schema-vN.sql for a new version.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('created_by', 'golden-v1');
PRAGMA user_version = 1;
