-- Per-month totals of live transactions, kept by a trigger so that every write path (recording,
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
SELECT ledger_id, date_trunc('month', occurred_on)::date, kind, currency, category_id,
       author_account_id, SUM(amount_minor), COUNT(*)
FROM transactions WHERE deleted_at IS NULL
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE FUNCTION transactions_month_totals() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
        UPDATE ledger_month_totals
        SET amount_minor = amount_minor - OLD.amount_minor, tx_count = tx_count - 1
        WHERE ledger_id = OLD.ledger_id AND month = date_trunc('month', OLD.occurred_on)::date
          AND kind = OLD.kind AND currency = OLD.currency AND category_id = OLD.category_id
          AND author_account_id = OLD.author_account_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
        INSERT INTO ledger_month_totals AS t
        VALUES (NEW.ledger_id, date_trunc('month', NEW.occurred_on)::date, NEW.kind, NEW.currency,
                NEW.category_id, NEW.author_account_id, NEW.amount_minor, 1)
        ON CONFLICT (ledger_id, month, kind, currency, category_id, author_account_id)
        DO UPDATE SET amount_minor = t.amount_minor + EXCLUDED.amount_minor,
                      tx_count = t.tx_count + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER transactions_month_totals
AFTER INSERT OR DELETE OR UPDATE OF ledger_id, kind, amount_minor, currency, category_id,
                                    occurred_on, author_account_id, deleted_at
ON transactions FOR EACH ROW EXECUTE FUNCTION transactions_month_totals();
