-- The API lists a ledger newest first (date, then id) page by page: this index is that order,
-- so a page is an index walk instead of a sort of every live row of the ledger.
CREATE INDEX transactions_ledger_recent ON transactions (ledger_id, occurred_on DESC, id DESC)
    WHERE deleted_at IS NULL;
