-- Failed logins per username key and per client address, shared by every api process on this
-- database so that running more replicas does not multiply the allowance. Times are unix
-- seconds, the unit the throttle computes in.
CREATE TABLE login_throttles (
    scope           TEXT NOT NULL CHECK (scope IN ('username', 'ip')),
    key             TEXT NOT NULL,
    failures        INTEGER NOT NULL CHECK (failures >= 1),
    last_failure_at BIGINT NOT NULL,
    locked_until    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, key)
);

CREATE INDEX login_throttles_last_failure_idx ON login_throttles (last_failure_at);
