"""The database schema as a list of migrations: (version reached, SQL script).

Never edit a migration that has shipped; add the next one. tests/unit/golden/ holds a database of each older
schema, and a test opens every one of them with the current code.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str]] = [
    (1, """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]
