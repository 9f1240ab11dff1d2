-- The ledger: a user's accounts, and every BUY, SELL, DIVIDEND and SPLIT in them. Holdings
-- (`assets`) become BUYs in each user's first account, keeping their ids, so old links and the
-- old clients' `/api/assets/{id}/` still name the same purchase. Decimals are TEXT, as
-- everywhere on SQLite (its NUMERIC affinity would store floats).
CREATE TABLE accounts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    currency   TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3),
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CONSTRAINT accounts_user_name_unique UNIQUE (user_id, name),
    -- The target of transactions' (account, owner) key: a transaction's account is its owner's,
    -- and an account that holds transactions cannot be deleted (its owner's deletion takes both).
    CONSTRAINT accounts_id_user_unique UNIQUE (id, user_id)
);

-- Every user starts with one account, whichever way the user was made (registration,
-- createsuperuser, import-django).
CREATE TRIGGER users_open_main AFTER INSERT ON users
BEGIN
    INSERT INTO accounts (user_id, name, currency) VALUES (NEW.id, 'Main', 'USD');
END;

INSERT INTO accounts (user_id, name, currency) SELECT id, 'Main', 'USD' FROM users ORDER BY id;

-- Which columns a type carries is checked here too, so no path can store a SELL with a ratio.
CREATE TABLE transactions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('BUY', 'SELL', 'DIVIDEND', 'SPLIT')),
    ticker     TEXT NOT NULL CHECK (length(ticker) BETWEEN 1 AND 16),
    date       DATE NOT NULL,
    quantity   TEXT,
    price      TEXT,
    fee        TEXT,
    amount     TEXT,
    ratio      TEXT,
    currency   TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3),
    note       TEXT CHECK (length(note) <= 500),
    source_id  BIGINT,
    CONSTRAINT transactions_account_fk FOREIGN KEY (account_id, user_id)
        REFERENCES accounts (id, user_id),
    CONSTRAINT transactions_fields CHECK (
        (kind IN ('BUY', 'SELL') AND quantity IS NOT NULL AND price IS NOT NULL
            AND fee IS NOT NULL AND amount IS NULL AND ratio IS NULL)
        OR (kind = 'DIVIDEND' AND amount IS NOT NULL AND quantity IS NULL AND price IS NULL
            AND fee IS NULL AND ratio IS NULL)
        OR (kind = 'SPLIT' AND ratio IS NOT NULL AND quantity IS NULL AND price IS NULL
            AND fee IS NULL AND amount IS NULL)
    )
);

CREATE INDEX transactions_user_idx ON transactions (user_id, date, id);
CREATE INDEX transactions_account_idx ON transactions (account_id, ticker, date);

INSERT INTO transactions (id, user_id, account_id, kind, ticker, date, quantity, price, fee,
                          currency, source_id)
SELECT assets.id, assets.user_id, accounts.id, 'BUY', assets.ticker, assets.buy, assets.shares,
       assets.costbasis, '0', 'USD', assets.source_id
FROM assets JOIN accounts ON accounts.user_id = assets.user_id
ORDER BY assets.id;

DROP TABLE assets;
