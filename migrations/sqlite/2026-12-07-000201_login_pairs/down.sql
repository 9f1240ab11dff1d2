DROP TABLE login_known_addresses;
CREATE TABLE login_throttles_old (
    scope           TEXT NOT NULL CHECK (scope IN ('username', 'ip')),
    key             TEXT NOT NULL,
    failures        INTEGER NOT NULL CHECK (failures >= 1),
    last_failure_at BIGINT NOT NULL,
    locked_until    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, key)
);
INSERT INTO login_throttles_old SELECT scope, key, failures, last_failure_at, locked_until
    FROM login_throttles WHERE scope <> 'pair';
DROP TABLE login_throttles;
ALTER TABLE login_throttles_old RENAME TO login_throttles;
CREATE INDEX login_throttles_last_failure_idx ON login_throttles (last_failure_at);
