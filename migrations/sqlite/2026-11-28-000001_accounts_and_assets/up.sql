-- Decimals are TEXT: SQLite's NUMERIC affinity would store them as floats.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL CHECK (length(username) BETWEEN 1 AND 150),
    username_key  TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    is_staff      BOOLEAN NOT NULL DEFAULT 0,
    is_superuser  BOOLEAN NOT NULL DEFAULT 0,
    is_active     BOOLEAN NOT NULL DEFAULT 1,
    date_joined   TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CONSTRAINT users_username_key_unique UNIQUE (username_key)
);

CREATE TABLE assets (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticker    TEXT NOT NULL CHECK (length(ticker) BETWEEN 1 AND 5),
    shares    TEXT NOT NULL,
    costbasis TEXT NOT NULL,
    buy       DATE NOT NULL
);

CREATE INDEX assets_user_id_idx ON assets (user_id, id);
