-- The id a row had in the Django database `api import-django` brought it from (NULL for rows
-- made here). Holdings have no natural key (two equal purchases are two holdings), so the
-- source id is part of theirs; and an account registered here is never taken for the imported
-- account of the same name.
ALTER TABLE users ADD COLUMN source_id BIGINT;
ALTER TABLE assets ADD COLUMN source_id BIGINT;
