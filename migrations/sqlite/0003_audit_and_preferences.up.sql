-- The audit trail of security-relevant actions, and each account's theme preference.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT NOT NULL DEFAULT '',
    address  TEXT,
    module   TEXT,
    detail   TEXT
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action_target ON audit_log (action, target, at);
CREATE INDEX audit_log_action_address ON audit_log (action, address, at);

-- `light`, `dark`, or NULL to follow the system.
ALTER TABLE users ADD COLUMN theme TEXT;
