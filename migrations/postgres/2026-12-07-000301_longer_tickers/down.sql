-- Fails while a longer ticker is stored: shorten or delete those rows first.
ALTER TABLE watchlist_entries ALTER COLUMN ticker TYPE VARCHAR(5);
ALTER TABLE close_coverage ALTER COLUMN symbol TYPE VARCHAR(5);
ALTER TABLE daily_closes ALTER COLUMN symbol TYPE VARCHAR(5);
ALTER TABLE options ALTER COLUMN ticker TYPE VARCHAR(5);
