DROP TABLE watchlist_entries;
DROP TABLE watchlists;
