-- Modules an administrator turned off: not migrated or started, on every instance,
-- until enabled again (the row is then deleted).
CREATE TABLE module_disabled (
    module      TEXT PRIMARY KEY,
    disabled_at BIGINT NOT NULL,
    disabled_by TEXT
);
