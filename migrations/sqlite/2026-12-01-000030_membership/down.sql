ALTER TABLE ledger_members DROP COLUMN confirmed_at;
ALTER TABLE ledger_members DROP COLUMN left_at;
