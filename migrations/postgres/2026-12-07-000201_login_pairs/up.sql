-- Failed logins are counted per (username, address) pair too, so failures from elsewhere never
-- lock an owner out of their own address; and the addresses each account logged in from, so
-- the username's own (much higher) limit does not lock its owner out of a known one.
ALTER TABLE login_throttles DROP CONSTRAINT login_throttles_scope_check;
ALTER TABLE login_throttles
    ADD CONSTRAINT login_throttles_scope_check CHECK (scope IN ('username', 'ip', 'pair'));

CREATE TABLE login_known_addresses (
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address         TEXT NOT NULL,
    last_success_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, address)
);

CREATE INDEX login_known_addresses_last_success_idx ON login_known_addresses (last_success_at);
