-- Euro reference rates as published (units of a currency per euro), one row per day and currency.
-- The rate is kept as the decimal text the ECB wrote, so it is never rounded on its way in.
CREATE TABLE exchange_rates (
    rate_date DATE NOT NULL,
    currency TEXT NOT NULL,
    per_euro TEXT NOT NULL,
    source TEXT NOT NULL,
    fetched_at TIMESTAMP NOT NULL,
    PRIMARY KEY (rate_date, currency)
);

-- Once-a-day jobs shared by every instance: whoever moves the lease first runs the job, and
-- `ran_on` records the day it succeeded, so a failed run is retried when its lease ends.
CREATE TABLE job_runs (
    job TEXT PRIMARY KEY NOT NULL,
    ran_on DATE,
    lease_until TIMESTAMP NOT NULL
);
