-- Per-month totals of live transactions, kept by triggers so that every write path (recording,
-- edits, soft deletes, account merges, hand-run SQL) keeps them right. Summaries and analytics
-- read whole months from here and only partial edge months from `transactions`.
CREATE TABLE ledger_month_totals (
    ledger_id BIGINT NOT NULL,
    month DATE NOT NULL,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    category_id BIGINT NOT NULL,
    author_account_id BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL,
    tx_count BIGINT NOT NULL,
    PRIMARY KEY (ledger_id, month, kind, currency, category_id, author_account_id)
);

INSERT INTO ledger_month_totals
SELECT ledger_id, date(occurred_on, 'start of month'), kind, currency, category_id,
       author_account_id, SUM(amount_minor), COUNT(*)
FROM transactions WHERE deleted_at IS NULL
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TRIGGER transactions_month_totals_insert AFTER INSERT ON transactions
WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO ledger_month_totals
    VALUES (NEW.ledger_id, date(NEW.occurred_on, 'start of month'), NEW.kind, NEW.currency,
            NEW.category_id, NEW.author_account_id, NEW.amount_minor, 1)
    ON CONFLICT (ledger_id, month, kind, currency, category_id, author_account_id)
    DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor, tx_count = tx_count + 1;
END;

CREATE TRIGGER transactions_month_totals_update
AFTER UPDATE OF ledger_id, kind, amount_minor, currency, category_id, occurred_on,
                author_account_id, deleted_at ON transactions
BEGIN
    UPDATE ledger_month_totals
    SET amount_minor = amount_minor - OLD.amount_minor, tx_count = tx_count - 1
    WHERE OLD.deleted_at IS NULL
      AND ledger_id = OLD.ledger_id AND month = date(OLD.occurred_on, 'start of month')
      AND kind = OLD.kind AND currency = OLD.currency AND category_id = OLD.category_id
      AND author_account_id = OLD.author_account_id;
    INSERT INTO ledger_month_totals
    SELECT NEW.ledger_id, date(NEW.occurred_on, 'start of month'), NEW.kind, NEW.currency,
           NEW.category_id, NEW.author_account_id, NEW.amount_minor, 1
    WHERE NEW.deleted_at IS NULL
    ON CONFLICT (ledger_id, month, kind, currency, category_id, author_account_id)
    DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor, tx_count = tx_count + 1;
END;

CREATE TRIGGER transactions_month_totals_delete AFTER DELETE ON transactions
WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE ledger_month_totals
    SET amount_minor = amount_minor - OLD.amount_minor, tx_count = tx_count - 1
    WHERE ledger_id = OLD.ledger_id AND month = date(OLD.occurred_on, 'start of month')
      AND kind = OLD.kind AND currency = OLD.currency AND category_id = OLD.category_id
      AND author_account_id = OLD.author_account_id;
END;
