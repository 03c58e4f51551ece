DROP TABLE ledger_currency_modes;
DROP TABLE transaction_charges;
