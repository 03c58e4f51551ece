-- Replies written in the same transaction as the update's effects, so a crash between committing
-- and sending loses nothing: a sender delivers what is unsent and marks it. `claimed_until` is
-- a lease: whoever holds it (the handler that just wrote the row, or a sender) is sending it.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    update_id TEXT,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    claimed_until TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_update ON outbox (platform, update_id);
CREATE INDEX outbox_unsent ON outbox (claimed_until) WHERE sent_at IS NULL;
CREATE INDEX outbox_created ON outbox (created_at);
