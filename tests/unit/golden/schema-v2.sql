-- The wallet database at schema version 2, with sample rows. Never edit: add schema-vN.sql for a new version.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
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
INSERT INTO meta (key, value) VALUES ('created_by', 'golden-v2');
INSERT INTO meta (key, value) VALUES ('payments.budget.daily', '5000000000000000000');
INSERT INTO payment_intents (id, task_key, created_at, updated_at, chain_id, account, provider_id, provider_name,
    endpoint, model, scheme, asset, pay_to, quote_base_units, authorized_base_units, charged_base_units, nonce,
    valid_after, valid_before, from_block, status, delivered, tx_hash, block_number, reason, evidence)
VALUES (1, 'golden-task', 1700000000, 1700000001, 31337, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 1,
    'Demo AI', 'http://127.0.0.1:8402', 'gpt-4o-mini', 'exact', '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', '983100000000000', '983100000000000', '983100000000000',
    '0x' || printf('%064d', 1), 0, 1700000300, 12, 'settled', 1,
    '0x' || printf('%064d', 2), 13, NULL, '{}');
INSERT INTO payment_intents (id, task_key, created_at, updated_at, chain_id, account, provider_id, provider_name,
    endpoint, model, scheme, asset, pay_to, quote_base_units, authorized_base_units, status, reason)
VALUES (2, 'golden-task-2', 1700000400, 1700000400, 31337, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 1,
    'Demo AI', 'http://127.0.0.1:8402', 'gpt-4o-mini', 'exact', '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', '983100000000000', '983100000000000', 'refused',
    'The provider asked for more than the quote. Nothing was signed.');
PRAGMA user_version = 2;
