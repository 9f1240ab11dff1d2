-- See the PostgreSQL migration for the design; decimals are TEXT here.
CREATE TABLE weeks (
    sunday            DATE PRIMARY KEY,
    started_at        TIMESTAMP,
    start_claimed_at  TIMESTAMP,
    closed_at         TIMESTAMP,
    close_claimed_at  TIMESTAMP
);

CREATE TABLE options (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    sunday         DATE NOT NULL REFERENCES weeks (sunday),
    ticker         TEXT NOT NULL CHECK (length(ticker) BETWEEN 1 AND 5),
    start_price    TEXT,
    end_price      TEXT,
    percent_change TEXT,
    rank           INTEGER CHECK (rank >= 1),
    CONSTRAINT options_sunday_ticker_unique UNIQUE (sunday, ticker)
);

CREATE TABLE selections (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    option_id  INTEGER NOT NULL REFERENCES options (id) ON DELETE CASCADE,
    sunday     DATE NOT NULL,
    slot       SMALLINT NOT NULL CHECK (slot BETWEEN 1 AND 3),
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT selections_user_option_unique UNIQUE (user_id, option_id),
    CONSTRAINT selections_user_week_slot_unique UNIQUE (user_id, sunday, slot)
);

CREATE INDEX selections_sunday_idx ON selections (sunday);
