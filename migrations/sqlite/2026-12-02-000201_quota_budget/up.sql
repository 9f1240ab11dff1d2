-- See the PostgreSQL migration for the design.
CREATE TABLE quota_uses (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket  TEXT NOT NULL,
    used_at BIGINT NOT NULL,
    amount  INTEGER NOT NULL CHECK (amount > 0)
);

CREATE INDEX quota_uses_bucket_idx ON quota_uses (bucket, used_at);
CREATE INDEX quota_uses_used_at_idx ON quota_uses (used_at);

CREATE TABLE quota_lock (
    id      SMALLINT PRIMARY KEY CHECK (id = 1),
    touched BIGINT NOT NULL
);

INSERT INTO quota_lock (id, touched) VALUES (1, 0);
