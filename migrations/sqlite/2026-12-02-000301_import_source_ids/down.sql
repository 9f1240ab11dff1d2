ALTER TABLE assets DROP COLUMN source_id;
ALTER TABLE users DROP COLUMN source_id;
