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
    (2, """
CREATE TABLE payment_intents (
    id                    INTEGER PRIMARY KEY,
    task_key              TEXT NOT NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    chain_id              INTEGER NOT NULL,
    account               TEXT NOT NULL,
    provider_id           INTEGER NOT NULL,
    provider_name         TEXT NOT NULL,
    endpoint              TEXT NOT NULL,
    model                 TEXT NOT NULL,
    scheme                TEXT NOT NULL,
    asset                 TEXT NOT NULL,
    pay_to                TEXT NOT NULL,
    quote_base_units      TEXT NOT NULL,
    authorized_base_units TEXT NOT NULL,
    charged_base_units    TEXT,
    nonce                 TEXT,
    valid_after           INTEGER,
    valid_before          INTEGER,
    from_block            INTEGER,
    status                TEXT NOT NULL
                          CHECK (status IN ('refused', 'pending', 'settled', 'expired', 'cancelled')),
    delivered             INTEGER NOT NULL DEFAULT 0,
    tx_hash               TEXT,
    block_number          INTEGER,
    reason                TEXT,
    evidence              TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX payment_intents_nonce ON payment_intents (chain_id, account, nonce) WHERE nonce IS NOT NULL;
CREATE INDEX payment_intents_status ON payment_intents (status, chain_id);
CREATE INDEX payment_intents_task ON payment_intents (task_key);
CREATE INDEX payment_intents_created ON payment_intents (chain_id, created_at);
"""),
    (3, """
-- Metered payments: a new status, disputed (the settlement does not match the wallet's own count; the evidence
-- is kept), and the tokens of each payment (input and budget as quoted, output as the wallet counted what it
-- received). SQLite cannot change a CHECK constraint in place, so the table is rebuilt.
CREATE TABLE payment_intents_next (
    id                    INTEGER PRIMARY KEY,
    task_key              TEXT NOT NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    chain_id              INTEGER NOT NULL,
    account               TEXT NOT NULL,
    provider_id           INTEGER NOT NULL,
    provider_name         TEXT NOT NULL,
    endpoint              TEXT NOT NULL,
    model                 TEXT NOT NULL,
    scheme                TEXT NOT NULL,
    asset                 TEXT NOT NULL,
    pay_to                TEXT NOT NULL,
    quote_base_units      TEXT NOT NULL,
    authorized_base_units TEXT NOT NULL,
    charged_base_units    TEXT,
    nonce                 TEXT,
    valid_after           INTEGER,
    valid_before          INTEGER,
    from_block            INTEGER,
    status                TEXT NOT NULL
                          CHECK (status IN ('refused', 'pending', 'settled', 'expired', 'cancelled', 'disputed')),
    delivered             INTEGER NOT NULL DEFAULT 0,
    tx_hash               TEXT,
    block_number          INTEGER,
    reason                TEXT,
    evidence              TEXT NOT NULL DEFAULT '{}',
    input_tokens          INTEGER,
    max_output_tokens     INTEGER,
    output_tokens         INTEGER
);
INSERT INTO payment_intents_next (id, task_key, created_at, updated_at, chain_id, account, provider_id, provider_name,
    endpoint, model, scheme, asset, pay_to, quote_base_units, authorized_base_units, charged_base_units, nonce,
    valid_after, valid_before, from_block, status, delivered, tx_hash, block_number, reason, evidence)
SELECT id, task_key, created_at, updated_at, chain_id, account, provider_id, provider_name, endpoint, model, scheme,
    asset, pay_to, quote_base_units, authorized_base_units, charged_base_units, nonce, valid_after, valid_before,
    from_block, status, delivered, tx_hash, block_number, reason, evidence
FROM payment_intents;
DROP TABLE payment_intents;
ALTER TABLE payment_intents_next RENAME TO payment_intents;
CREATE UNIQUE INDEX payment_intents_nonce ON payment_intents (chain_id, account, nonce) WHERE nonce IS NOT NULL;
CREATE INDEX payment_intents_status ON payment_intents (status, chain_id);
CREATE INDEX payment_intents_task ON payment_intents (task_key);
CREATE INDEX payment_intents_created ON payment_intents (chain_id, created_at);
CREATE INDEX payment_intents_provider ON payment_intents (chain_id, provider_id, model);
"""),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]
