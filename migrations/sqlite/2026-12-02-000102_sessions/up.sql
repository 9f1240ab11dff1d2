-- One row per login: the family every token of that login belongs to (tokens carry its id as
-- `sid`). Refreshing moves it to the next generation, so each refresh token works once; a
-- session ends by deleting its row, which ends every token of it at once. Times are unix
-- seconds, the tokens' unit.
CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    generation BIGINT NOT NULL CHECK (generation >= 0),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
