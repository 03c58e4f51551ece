DROP TABLE job_runs;
DROP TABLE exchange_rates;
