-- Tickers may carry a share class or an exchange after a dot (BRK.B, VOD.L, 7203.T): up to
-- 13 characters; 16 as the ledger's transactions already allow.
ALTER TABLE options ALTER COLUMN ticker TYPE VARCHAR(16);
ALTER TABLE daily_closes ALTER COLUMN symbol TYPE VARCHAR(16);
ALTER TABLE close_coverage ALTER COLUMN symbol TYPE VARCHAR(16);
ALTER TABLE watchlist_entries ALTER COLUMN ticker TYPE VARCHAR(16);
