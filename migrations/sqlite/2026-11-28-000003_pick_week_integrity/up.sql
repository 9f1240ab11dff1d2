-- A pick's week is its option's week (see the PostgreSQL migration). SQLite cannot add a
-- foreign key to an existing table, so selections is rebuilt with it.
CREATE UNIQUE INDEX options_id_sunday_unique ON options (id, sunday);

CREATE TABLE selections_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    option_id  INTEGER NOT NULL REFERENCES options (id) ON DELETE CASCADE,
    sunday     DATE NOT NULL,
    slot       SMALLINT NOT NULL CHECK (slot BETWEEN 1 AND 3),
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT selections_user_option_unique UNIQUE (user_id, option_id),
    CONSTRAINT selections_user_week_slot_unique UNIQUE (user_id, sunday, slot),
    CONSTRAINT selections_option_week_fk FOREIGN KEY (option_id, sunday)
        REFERENCES options (id, sunday) ON DELETE CASCADE
);
INSERT INTO selections_new (id, user_id, option_id, sunday, slot, created_at)
    SELECT id, user_id, option_id, sunday, slot, created_at FROM selections;
DROP TABLE selections;
ALTER TABLE selections_new RENAME TO selections;
CREATE INDEX selections_sunday_idx ON selections (sunday);
