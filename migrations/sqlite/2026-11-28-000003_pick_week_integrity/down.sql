CREATE TABLE selections_old (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    option_id  INTEGER NOT NULL REFERENCES options (id) ON DELETE CASCADE,
    sunday     DATE NOT NULL,
    slot       SMALLINT NOT NULL CHECK (slot BETWEEN 1 AND 3),
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT selections_user_option_unique UNIQUE (user_id, option_id),
    CONSTRAINT selections_user_week_slot_unique UNIQUE (user_id, sunday, slot)
);
INSERT INTO selections_old (id, user_id, option_id, sunday, slot, created_at)
    SELECT id, user_id, option_id, sunday, slot, created_at FROM selections;
DROP TABLE selections;
ALTER TABLE selections_old RENAME TO selections;
CREATE INDEX selections_sunday_idx ON selections (sunday);
DROP INDEX options_id_sunday_unique;
