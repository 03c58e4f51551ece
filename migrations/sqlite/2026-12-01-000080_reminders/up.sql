-- Nudges a person asked for: `daily` at a local time on days with nothing recorded, `bills` the day
-- before a scheduled payment. Whoever moves `next_due_at` forward first sends it.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    ledger_id BIGINT NOT NULL REFERENCES ledgers(id),
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    at_minute INTEGER NOT NULL,
    next_due_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (platform, chat_id, account_id, kind)
);
CREATE INDEX reminders_due ON reminders (next_due_at);
