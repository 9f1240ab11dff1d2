-- See the PostgreSQL migration for the design; decimals are TEXT here.
CREATE TABLE daily_closes (
    symbol TEXT NOT NULL CHECK (length(symbol) BETWEEN 1 AND 5),
    date   DATE NOT NULL,
    close  TEXT NOT NULL,
    PRIMARY KEY (symbol, date)
);

CREATE TABLE close_coverage (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol    TEXT NOT NULL,
    first_day DATE NOT NULL,
    last_day  DATE NOT NULL,
    CHECK (first_day <= last_day)
);

CREATE INDEX close_coverage_symbol_idx ON close_coverage (symbol, first_day);

CREATE TABLE close_days (
    date       DATE PRIMARY KEY,
    claimed_at TIMESTAMP,
    done_at    TIMESTAMP
);
