DROP TABLE fx_coverage;
DROP TABLE fx_rates;
ALTER TABLE users DROP COLUMN base_currency;
