-- See the PostgreSQL migration for the design; decimals are TEXT here.
ALTER TABLE users ADD COLUMN base_currency TEXT NOT NULL DEFAULT 'USD'
    CHECK (length(base_currency) = 3);

CREATE TABLE fx_rates (
    base  TEXT NOT NULL CHECK (length(base) = 3),
    quote TEXT NOT NULL CHECK (length(quote) = 3),
    date  DATE NOT NULL,
    rate  TEXT NOT NULL,
    PRIMARY KEY (base, quote, date),
    CHECK (base <> quote)
);

CREATE TABLE fx_coverage (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    currency  TEXT NOT NULL,
    first_day DATE NOT NULL,
    last_day  DATE NOT NULL,
    CHECK (first_day <= last_day)
);

CREATE INDEX fx_coverage_currency_idx ON fx_coverage (currency, first_day);
