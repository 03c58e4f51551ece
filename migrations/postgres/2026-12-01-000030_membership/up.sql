-- Group membership follows the platform: a member who left or was removed keeps their history
-- (their entries stay in the group's ledger) but loses access; confirmed_at is when the platform
-- last said this person is in the group, which API access to the group requires to be recent.
ALTER TABLE ledger_members ADD COLUMN left_at TIMESTAMP;
ALTER TABLE ledger_members ADD COLUMN confirmed_at TIMESTAMP;
