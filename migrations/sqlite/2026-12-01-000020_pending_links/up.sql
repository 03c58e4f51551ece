-- A redeemed link code waiting for the redeeming chat's Confirm: a code never merges on its own.
CREATE TABLE pending_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The account the code was made for (followed through merges when confirmed).
    target_account_id BIGINT NOT NULL REFERENCES accounts(id),
    -- The chat identity that redeemed the code: only it may confirm.
    platform TEXT NOT NULL,
    platform_user_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    -- Set once, by a conditional UPDATE, when confirmed or cancelled.
    resolved_at TIMESTAMP
);
CREATE INDEX pending_links_identity ON pending_links (platform, platform_user_id);

-- Accounts merged before this release kept their own username and password, which still
-- logged in (to the survivor). Only the survivor's login counts now.
UPDATE accounts SET username_key = NULL, password_hash = NULL WHERE merged_into IS NOT NULL;
