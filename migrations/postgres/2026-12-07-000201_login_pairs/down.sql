DROP TABLE login_known_addresses;
DELETE FROM login_throttles WHERE scope = 'pair';
ALTER TABLE login_throttles DROP CONSTRAINT login_throttles_scope_check;
ALTER TABLE login_throttles
    ADD CONSTRAINT login_throttles_scope_check CHECK (scope IN ('username', 'ip'));
