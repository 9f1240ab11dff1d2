-- See the PostgreSQL migration for the design.
CREATE TABLE watchlists (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE watchlist_entries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES watchlists (user_id) ON DELETE CASCADE,
    ticker     TEXT NOT NULL CHECK (length(ticker) BETWEEN 1 AND 5),
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT watchlist_entries_user_ticker_unique UNIQUE (user_id, ticker)
);

CREATE INDEX watchlist_entries_ticker_idx ON watchlist_entries (ticker);
