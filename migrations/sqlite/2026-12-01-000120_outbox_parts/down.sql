DROP TABLE outbox_files;
ALTER TABLE outbox DROP COLUMN reply_token;
ALTER TABLE outbox DROP COLUMN parts_sent;
ALTER TABLE outbox DROP COLUMN message_ref;
ALTER TABLE outbox DROP COLUMN kind;
