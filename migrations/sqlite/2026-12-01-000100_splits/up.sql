-- Shared expenses. A split belongs to one expense in a group ledger (the payer's entry) and has
-- one share per participant, in minor units, which add up to the entry's amount. `mode` and each
-- share's `weight` are kept so an edit of the amount recomputes the shares the same way.
CREATE TABLE splits (
    transaction_id BIGINT PRIMARY KEY NOT NULL REFERENCES transactions (id),
    ledger_id BIGINT NOT NULL REFERENCES ledgers (id),
    payer_account_id BIGINT NOT NULL REFERENCES accounts (id),
    mode TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX splits_ledger ON splits (ledger_id);
CREATE TABLE split_shares (
    transaction_id BIGINT NOT NULL REFERENCES splits (transaction_id),
    position INTEGER NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    weight TEXT NOT NULL,
    share_minor BIGINT NOT NULL CHECK (share_minor >= 0),
    PRIMARY KEY (transaction_id, position)
);
-- A settlement is an entry of its own kind: money from one member to another, never spending.
CREATE TABLE settlements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ledger_id BIGINT NOT NULL REFERENCES ledgers (id),
    author_account_id BIGINT NOT NULL REFERENCES accounts (id),
    from_account_id BIGINT NOT NULL REFERENCES accounts (id),
    to_account_id BIGINT NOT NULL REFERENCES accounts (id),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    source_platform TEXT NOT NULL,
    source_ref TEXT,
    created_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX settlements_ledger ON settlements (ledger_id);
-- A bare @username mentioned before that person wrote in the chat: a member account with no
-- identity, merged into the real member when someone with that platform username writes in the
-- same chat. Merging sets `merged_into` and nothing else, so it is visible and can be undone.
CREATE TABLE split_placeholders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ledger_id BIGINT NOT NULL REFERENCES ledgers (id),
    username_key TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    merged_into BIGINT REFERENCES accounts (id),
    merged_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (ledger_id, username_key)
);
