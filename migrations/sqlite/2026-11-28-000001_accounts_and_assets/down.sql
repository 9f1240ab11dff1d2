DROP TABLE assets;
DROP TABLE users;
