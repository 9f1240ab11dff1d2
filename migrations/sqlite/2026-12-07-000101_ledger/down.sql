-- Back to holdings: the BUYs of each user's first account (fees, sales, dividends and splits
-- have no place there and are lost).
CREATE TABLE assets (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticker    TEXT NOT NULL CHECK (length(ticker) BETWEEN 1 AND 5),
    shares    TEXT NOT NULL,
    costbasis TEXT NOT NULL,
    buy       DATE NOT NULL,
    source_id BIGINT
);
CREATE INDEX assets_user_id_idx ON assets (user_id, id);

INSERT INTO assets (id, user_id, ticker, shares, costbasis, buy, source_id)
SELECT t.id, t.user_id, t.ticker, t.quantity, t.price, t.date, t.source_id
FROM transactions t
WHERE t.kind = 'BUY'
  AND t.account_id = (SELECT MIN(a.id) FROM accounts a WHERE a.user_id = t.user_id)
ORDER BY t.id;

DROP TABLE transactions;
DROP TRIGGER users_open_main;
DROP TABLE accounts;
