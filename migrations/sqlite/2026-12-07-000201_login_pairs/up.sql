-- Failed logins are counted per (username, address) pair too, so failures from elsewhere never
-- lock an owner out of their own address; and the addresses each account logged in from, so
-- the username's own (much higher) limit does not lock its owner out of a known one. SQLite
-- cannot change a CHECK in place: the counters' table is rebuilt.
CREATE TABLE login_throttles_new (
    scope           TEXT NOT NULL CHECK (scope IN ('username', 'ip', 'pair')),
    key             TEXT NOT NULL,
    failures        INTEGER NOT NULL CHECK (failures >= 1),
    last_failure_at BIGINT NOT NULL,
    locked_until    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, key)
);
INSERT INTO login_throttles_new SELECT scope, key, failures, last_failure_at, locked_until
    FROM login_throttles;
DROP TABLE login_throttles;
ALTER TABLE login_throttles_new RENAME TO login_throttles;
CREATE INDEX login_throttles_last_failure_idx ON login_throttles (last_failure_at);

CREATE TABLE login_known_addresses (
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address         TEXT NOT NULL,
    last_success_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, address)
);

CREATE INDEX login_known_addresses_last_success_idx ON login_known_addresses (last_success_at);
