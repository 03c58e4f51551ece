-- What the outbox needs beyond new messages: `kind` 'edit' rows change an earlier message
-- (`message_ref`, the platform's reference to it); `parts_sent` counts the row's messages that
-- already went out, so a reply sent in part resends only the rest; `reply_token` is a Discord
-- interaction's token (a short-lived secret, cleared once the row is sent) to answer it by.
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'send';
ALTER TABLE outbox ADD COLUMN message_ref TEXT;
ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN reply_token TEXT;
-- Files sent with a row's messages (an export can be megabytes), stored once as bytes rather
-- than as text in the payload, and deleted with their row.
CREATE TABLE outbox_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id BIGINT NOT NULL,
    part INTEGER NOT NULL,
    bytes BLOB NOT NULL
);
CREATE UNIQUE INDEX outbox_files_part ON outbox_files (outbox_id, part);
