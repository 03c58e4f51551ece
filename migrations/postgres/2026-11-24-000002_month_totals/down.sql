DROP TRIGGER transactions_month_totals ON transactions;
DROP FUNCTION transactions_month_totals();
DROP TABLE ledger_month_totals;
