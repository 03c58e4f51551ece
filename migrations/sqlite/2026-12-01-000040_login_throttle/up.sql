-- Login slow-down counters: one row per (scope, subject), changed only by a compare-and-set on
-- `version`, so parallel attempts cannot pass more than the schedule allows.
CREATE TABLE login_throttle (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    failures BIGINT NOT NULL,
    version BIGINT NOT NULL,
    blocked_until TIMESTAMP NOT NULL,
    last_attempt_at TIMESTAMP NOT NULL,
    UNIQUE (scope, subject)
);
