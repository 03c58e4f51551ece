-- Tally's initial schema (SQLite). Money is BIGINT minor units with an ISO 4217 code beside it.
-- Timestamps are UTC without a zone (shared with SQLite); calendar dates are DATE.

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT,
    username_key TEXT UNIQUE,
    email TEXT,
    password_hash TEXT,
    display_name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    default_currency TEXT NOT NULL,
    date_order TEXT NOT NULL,
    token_version BIGINT NOT NULL DEFAULT 0,
    merged_into BIGINT REFERENCES accounts(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE identities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    platform_user_id TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    display_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (platform, platform_user_id)
);
CREATE INDEX identities_account ON identities (account_id);

CREATE TABLE ledgers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    owner_account_id BIGINT UNIQUE REFERENCES accounts(id),
    platform TEXT,
    chat_id TEXT,
    title TEXT NOT NULL,
    default_currency TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (platform, chat_id)
);

CREATE TABLE ledger_members (
    ledger_id BIGINT NOT NULL REFERENCES ledgers(id),
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    role TEXT NOT NULL,
    display_name TEXT NOT NULL,
    joined_at TIMESTAMP NOT NULL,
    PRIMARY KEY (ledger_id, account_id)
);
CREATE INDEX ledger_members_account ON ledger_members (account_id);

CREATE TABLE categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ledger_id BIGINT NOT NULL REFERENCES ledgers(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (ledger_id, kind, name)
);

CREATE TABLE keywords (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    keyword TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (account_id, kind, keyword)
);

CREATE TABLE transactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ledger_id BIGINT NOT NULL REFERENCES ledgers(id),
    author_account_id BIGINT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    category_id BIGINT NOT NULL REFERENCES categories(id),
    occurred_on DATE NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    source_platform TEXT NOT NULL,
    source_ref TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
-- Summaries and analytics scan one ledger's live rows by date; the index covers them.
CREATE INDEX transactions_ledger_date ON transactions
    (ledger_id, occurred_on, kind, currency, category_id, author_account_id, amount_minor)
    WHERE deleted_at IS NULL;
-- Undo finds the actor's latest live transaction in a ledger.
CREATE INDEX transactions_ledger_author ON transactions (ledger_id, author_account_id, id);

CREATE TABLE budgets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ledger_id BIGINT NOT NULL REFERENCES ledgers(id),
    category_id BIGINT NOT NULL REFERENCES categories(id),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    period TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES accounts(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (ledger_id, category_id, period)
);

CREATE TABLE budget_alerts (
    budget_id BIGINT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    period_start DATE NOT NULL,
    threshold INTEGER NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (budget_id, period_start, threshold)
);

CREATE TABLE processed_updates (
    platform TEXT NOT NULL,
    update_id TEXT NOT NULL,
    processed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (platform, update_id)
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE idempotency_keys (
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    key TEXT NOT NULL,
    transaction_id BIGINT NOT NULL REFERENCES transactions(id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, key)
);

CREATE TABLE auth_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    attempted_at TIMESTAMP NOT NULL
);
CREATE INDEX auth_attempts_lookup ON auth_attempts (scope, subject, attempted_at);

CREATE TABLE link_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code_hash TEXT NOT NULL UNIQUE,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE used_tokens (
    jti TEXT PRIMARY KEY,
    used_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE digests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    ledger_id BIGINT NOT NULL REFERENCES ledgers(id),
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    frequency TEXT NOT NULL,
    next_due_at TIMESTAMP NOT NULL,
    last_sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (platform, chat_id)
);
CREATE INDEX digests_due ON digests (next_due_at);

CREATE TABLE llm_turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    chat_key TEXT NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX llm_turns_chat ON llm_turns (chat_key, id);

CREATE TABLE llm_usage (
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    day DATE NOT NULL,
    tokens BIGINT NOT NULL,
    PRIMARY KEY (account_id, day)
);

CREATE TABLE pending_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    ledger_id BIGINT NOT NULL REFERENCES ledgers(id),
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    consumed_at TIMESTAMP
);
