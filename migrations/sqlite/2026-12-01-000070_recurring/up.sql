-- Scheduled entries. `next_index` is the occurrence (counted from the schedule's start) that has not
-- been posted yet, and `next_on` its date (NULL once the schedule has ended). Posting moves
-- `next_index` forward with a compare-and-set in the same transaction as the entries it records,
-- so of several instances exactly one posts each occurrence.
CREATE TABLE recurring_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ledger_id BIGINT NOT NULL REFERENCES ledgers(id),
    author_account_id BIGINT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    category_id BIGINT NOT NULL REFERENCES categories(id),
    note TEXT NOT NULL,
    schedule TEXT NOT NULL,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    next_index BIGINT NOT NULL,
    next_on DATE,
    paused BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX recurring_entries_due ON recurring_entries (next_on);
CREATE INDEX recurring_entries_ledger ON recurring_entries (ledger_id);
