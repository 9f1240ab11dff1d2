ALTER TABLE selections DROP CONSTRAINT selections_option_week_fk;
ALTER TABLE options DROP CONSTRAINT options_id_sunday_unique;
