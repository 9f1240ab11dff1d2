DROP TABLE quota_lock;
DROP TABLE quota_uses;
