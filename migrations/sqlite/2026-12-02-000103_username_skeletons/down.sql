DROP INDEX users_username_skeleton_unique;
ALTER TABLE users DROP COLUMN username_skeleton;
