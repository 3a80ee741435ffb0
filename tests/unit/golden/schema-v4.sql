-- The wallet database at schema version 4, with sample rows. Never edit: add schema-vN.sql for a new version.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE sync_cursor (
    chain_id    INTEGER NOT NULL,
    account     TEXT NOT NULL,
    next_block  INTEGER NOT NULL,
    anchor_hash TEXT,
    PRIMARY KEY (chain_id, account)
);
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
CREATE TABLE nonce_state (
    chain_id   INTEGER NOT NULL,
    account    TEXT NOT NULL,
    next_nonce INTEGER NOT NULL,
    PRIMARY KEY (chain_id, account)
);
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
CREATE INDEX history_spend ON history (chain_id, kind, status, account, provider, model, timestamp, amount);
CREATE INDEX history_tx ON history (chain_id, tx_hash);
CREATE INDEX history_counterparty ON history (counterparty);
CREATE INDEX history_record ON history (record_key);
CREATE TABLE "payment_intents" (
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
CREATE UNIQUE INDEX payment_intents_nonce ON payment_intents (chain_id, account, nonce) WHERE nonce IS NOT NULL;
CREATE INDEX payment_intents_status ON payment_intents (status, chain_id);
CREATE INDEX payment_intents_task ON payment_intents (task_key);
CREATE INDEX payment_intents_created ON payment_intents (chain_id, created_at);
CREATE INDEX payment_intents_provider ON payment_intents (chain_id, provider_id, model);
INSERT INTO meta (key, value) VALUES ('created_by', 'golden-v4');
INSERT INTO meta (key, value) VALUES ('payments.budget.daily', '5000000000000000000');
INSERT INTO payment_intents (id, task_key, created_at, updated_at, chain_id, account, provider_id, provider_name,
    endpoint, model, scheme, asset, pay_to, quote_base_units, authorized_base_units, charged_base_units, nonce,
    valid_after, valid_before, from_block, status, delivered, tx_hash, block_number, reason, evidence,
    input_tokens, max_output_tokens, output_tokens)
VALUES (1, 'golden-task', 1700000000, 1700000001, 31337, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 1,
    'Demo AI', 'http://127.0.0.1:8402', 'gpt-4o-mini', 'upto', '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', '983100000000000', '983100000000000', '331350000000000',
    '0x' || printf('%064d', 1), 0, 1700000300, 12, 'settled', 1,
    '0x' || printf('%064d', 2), 13, NULL, '{}', 33, 1600, 544);
INSERT INTO payment_intents (id, task_key, created_at, updated_at, chain_id, account, provider_id, provider_name,
    endpoint, model, scheme, asset, pay_to, quote_base_units, authorized_base_units, charged_base_units, nonce,
    valid_after, valid_before, from_block, status, delivered, tx_hash, block_number, reason, evidence,
    input_tokens, max_output_tokens, output_tokens)
VALUES (2, 'golden-task-2', 1700000400, 1700000401, 31337, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 1,
    'Demo AI', 'http://127.0.0.1:8402', 'gpt-4o-mini', 'upto', '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', '983100000000000', '983100000000000', '983100000000000',
    '0x' || printf('%064d', 3), 0, 1700000700, 20, 'disputed', 1,
    '0x' || printf('%064d', 4), 21, 'Charged the maximum for 120 output tokens.', '{"dispute": {"problems": []}}',
    33, 1600, 120);
INSERT INTO payment_intents (id, task_key, created_at, updated_at, chain_id, account, provider_id, provider_name,
    endpoint, model, scheme, asset, pay_to, quote_base_units, authorized_base_units, status, reason)
VALUES (3, 'golden-task-3', 1700000800, 1700000800, 31337, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 1,
    'Demo AI', 'http://127.0.0.1:8402', 'gpt-4o-mini', 'exact', '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', '983100000000000', '983100000000000', 'refused',
    'The provider asked for more than the quote. Nothing was signed.');
INSERT INTO sync_cursor (chain_id, account, next_block, anchor_hash) VALUES (31337, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 12, '0x1111111111111111111111111111111111111111111111111111111111111111');
INSERT INTO chain_fact (chain_id, tx_hash, log_index, account, kind, block_number, block_hash, timestamp, asset, amount, counterparty, extra) VALUES (31337, '0x2222222222222222222222222222222222222222222222222222222222222222', 0, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 'ait_in', 11, '0x1111111111111111111111111111111111111111111111111111111111111111', 1700000000, 'AIT', '12500000000000000000', '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', NULL);
INSERT INTO wallet_tx (id, chain_id, account, sender, nonce, tx_hash, kind, asset, amount, recipient, tx_to, tx_value, tx_data, gas_limit, max_fee, priority_fee, status, replaces, replaced_by, created_at, block_number, block_hash, fee_paid, details) VALUES (1, 31337, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 0, '0x3333333333333333333333333333333333333333333333333333333333333333', 'send', 'ETH', '250000000000000000', '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', '250000000000000000', '0x', 21000, '2000000000', '1000000', 'pending', NULL, NULL, 1700000100, NULL, NULL, NULL, NULL);
INSERT INTO nonce_state (chain_id, account, next_nonce) VALUES (31337, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 1);
INSERT INTO history (id, chain_id, account, kind, status, direction, asset, amount, fee, counterparty, tx_hash, block_number, timestamp, provider, model, record_key, details) VALUES (1, 31337, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 'receive', 'confirmed', 'in', 'AIT', '12500000000000000000', NULL, '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', '0x2222222222222222222222222222222222222222222222222222222222222222', 11, 1700000000, NULL, NULL, NULL, NULL);
PRAGMA user_version = 4;
