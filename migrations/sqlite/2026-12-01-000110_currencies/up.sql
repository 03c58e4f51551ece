-- What a card really charged for an entry in another currency ("paid 52.28 CHF, card charged
-- 55.41 EUR"): the entry keeps its own amount and currency, and totals in the charged currency
-- use this figure instead of the reference rate. A table of its own, so the transactions rows
-- every query reads keep their shape.
CREATE TABLE transaction_charges (
    transaction_id BIGINT PRIMARY KEY NOT NULL REFERENCES transactions(id) ON DELETE CASCADE,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL
);

-- A group's choice for balances and settle-up: per currency (no row, the default) or converted
-- to the group's own currency at the reference rates.
CREATE TABLE ledger_currency_modes (
    ledger_id BIGINT PRIMARY KEY NOT NULL REFERENCES ledgers(id) ON DELETE CASCADE,
    convert_balances BOOLEAN NOT NULL
);
