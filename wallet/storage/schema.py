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
-- Per account and chain: the next block the history sync reads, and the hash of the block before it
-- (a changed hash there means a reorg or a reset chain below the cursor).
CREATE TABLE sync_cursor (
    chain_id    INTEGER NOT NULL,
    account     TEXT NOT NULL,
    next_block  INTEGER NOT NULL,
    anchor_hash TEXT,
    PRIMARY KEY (chain_id, account)
);
-- What the chain says about the wallet's accounts: one row per log (or per transaction, log_index -1)
-- and account, with the block it was read from. Rebuilt from the chain at any time.
CREATE TABLE chain_fact (
    chain_id     INTEGER NOT NULL,
    tx_hash      TEXT NOT NULL,
    log_index    INTEGER NOT NULL,
    account      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    block_number INTEGER NOT NULL,
    block_hash   TEXT NOT NULL,
    timestamp    INTEGER NOT NULL,
    asset        TEXT NOT NULL,
    amount       TEXT NOT NULL,
    counterparty TEXT,
    extra        TEXT,
    PRIMARY KEY (chain_id, tx_hash, log_index, account)
);
CREATE INDEX chain_fact_block ON chain_fact (chain_id, block_number);
-- Transactions the wallet sent or caused (sends, top-ups, replacements, faucet grants): what only the
-- wallet knows about them, and their status as last checked against the chain.
CREATE TABLE wallet_tx (
    id           INTEGER PRIMARY KEY,
    chain_id     INTEGER NOT NULL,
    account      TEXT NOT NULL,
    sender       TEXT NOT NULL,
    nonce        INTEGER NOT NULL,
    tx_hash      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    asset        TEXT NOT NULL,
    amount       TEXT NOT NULL,
    recipient    TEXT,
    tx_to        TEXT,
    tx_value     TEXT NOT NULL,
    tx_data      TEXT NOT NULL,
    gas_limit    INTEGER NOT NULL,
    max_fee      TEXT NOT NULL,
    priority_fee TEXT NOT NULL,
    status       TEXT NOT NULL,
    replaces     INTEGER REFERENCES wallet_tx (id),
    replaced_by  INTEGER REFERENCES wallet_tx (id),
    created_at   INTEGER NOT NULL,
    block_number INTEGER,
    block_hash   TEXT,
    fee_paid     TEXT,
    details      TEXT,
    UNIQUE (chain_id, tx_hash)
);
CREATE INDEX wallet_tx_sender ON wallet_tx (chain_id, sender, nonce);
CREATE INDEX wallet_tx_status ON wallet_tx (status);
-- The next nonce per sender, taken under the database's write lock so two wallet processes never reuse one.
CREATE TABLE nonce_state (
    chain_id   INTEGER NOT NULL,
    account    TEXT NOT NULL,
    next_nonce INTEGER NOT NULL,
    PRIMARY KEY (chain_id, account)
);
-- The history as shown: chain facts merged with the wallet's records, one row per movement and account.
-- Derived: any row can be recomputed from chain_fact, wallet_tx and the other record sources.
CREATE TABLE history (
    id           INTEGER PRIMARY KEY,
    chain_id     INTEGER NOT NULL,
    account      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    direction    TEXT NOT NULL,
    asset        TEXT NOT NULL,
    amount       TEXT NOT NULL,
    fee          TEXT,
    counterparty TEXT,
    tx_hash      TEXT,
    block_number INTEGER,
    timestamp    INTEGER NOT NULL,
    provider     TEXT,
    model        TEXT,
    record_key   TEXT,
    details      TEXT,
    search       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX history_time ON history (chain_id, timestamp DESC, block_number DESC, id DESC);
CREATE INDEX history_account_time ON history (chain_id, account, timestamp DESC, block_number DESC, id DESC);
CREATE INDEX history_kind_time ON history (chain_id, kind, timestamp DESC, block_number DESC, id DESC);
CREATE INDEX history_provider_time ON history (chain_id, provider, timestamp DESC, block_number DESC, id DESC);
CREATE INDEX history_status ON history (chain_id, status);
-- Covers the spending summaries (the chart): they read no table row.
CREATE INDEX history_spend ON history (chain_id, kind, status, account, provider, model, timestamp, amount);
CREATE INDEX history_tx ON history (chain_id, tx_hash);
CREATE INDEX history_counterparty ON history (counterparty);
CREATE INDEX history_record ON history (record_key);
"""),
    (4, """
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
