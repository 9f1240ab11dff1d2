-- A pick's week is its option's week: the three-per-week key relies on selections.sunday, so
-- the database, not only the application, keeps it equal to the option's.
ALTER TABLE options ADD CONSTRAINT options_id_sunday_unique UNIQUE (id, sunday);
ALTER TABLE selections
    ADD CONSTRAINT selections_option_week_fk
    FOREIGN KEY (option_id, sunday) REFERENCES options (id, sunday) ON DELETE CASCADE;
