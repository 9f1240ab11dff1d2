-- Usernames are unique by how they look, not only by their case-folded key: the Unicode
-- (TR39) confusable skeleton of the key, so `аdmin` with a Cyrillic а cannot sit beside
-- `admin`. The skeleton cannot be computed in SQL: the api fills it for existing rows right
-- after migrating (`db::migrations`), oldest account first. An existing account whose skeleton
-- an older one already has keeps NULL (NULLs never collide), keeps working, and is named in a
-- warning at every start until it is renamed.
ALTER TABLE users ADD COLUMN username_skeleton TEXT;
CREATE UNIQUE INDEX users_username_skeleton_unique ON users (username_skeleton);
