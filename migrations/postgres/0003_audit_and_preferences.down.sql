ALTER TABLE users DROP COLUMN theme;
DROP TABLE audit_log;
