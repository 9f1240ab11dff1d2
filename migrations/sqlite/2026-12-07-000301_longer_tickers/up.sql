-- Tickers may carry a share class or an exchange after a dot (BRK.B, VOD.L, 7203.T): the
-- length checks on the game's options, the stored closes and the watch lists grow from 5 to
-- 16, as the ledger's transactions already allow. SQLite cannot change a CHECK in place, so
-- each table is rebuilt under its own name, rows and ids kept; foreign keys are off meanwhile
-- so that dropping the old options does not cascade into the picks (metadata.toml).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE options_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    sunday         DATE NOT NULL REFERENCES weeks (sunday),
    ticker         TEXT NOT NULL CHECK (length(ticker) BETWEEN 1 AND 16),
    start_price    TEXT,
    end_price      TEXT,
    percent_change TEXT,
    rank           INTEGER CHECK (rank >= 1),
    CONSTRAINT options_sunday_ticker_unique UNIQUE (sunday, ticker)
);
INSERT INTO options_new (id, sunday, ticker, start_price, end_price, percent_change, rank)
    SELECT id, sunday, ticker, start_price, end_price, percent_change, rank FROM options;
DROP TABLE options;
ALTER TABLE options_new RENAME TO options;
CREATE UNIQUE INDEX options_id_sunday_unique ON options (id, sunday);

CREATE TABLE daily_closes_new (
    symbol TEXT NOT NULL CHECK (length(symbol) BETWEEN 1 AND 16),
    date   DATE NOT NULL,
    close  TEXT NOT NULL,
    PRIMARY KEY (symbol, date)
);
INSERT INTO daily_closes_new (symbol, date, close) SELECT symbol, date, close FROM daily_closes;
DROP TABLE daily_closes;
ALTER TABLE daily_closes_new RENAME TO daily_closes;

CREATE TABLE watchlist_entries_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES watchlists (user_id) ON DELETE CASCADE,
    ticker     TEXT NOT NULL CHECK (length(ticker) BETWEEN 1 AND 16),
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT watchlist_entries_user_ticker_unique UNIQUE (user_id, ticker)
);
INSERT INTO watchlist_entries_new (id, user_id, ticker, created_at)
    SELECT id, user_id, ticker, created_at FROM watchlist_entries;
DROP TABLE watchlist_entries;
ALTER TABLE watchlist_entries_new RENAME TO watchlist_entries;
CREATE INDEX watchlist_entries_ticker_idx ON watchlist_entries (ticker);

COMMIT;
PRAGMA foreign_keys = ON;
