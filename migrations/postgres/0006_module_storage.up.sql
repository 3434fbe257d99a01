-- Values the host keeps for modules: JSON by key, instance-wide (scope '') or one
-- user's (scope: the user's id).
CREATE TABLE module_storage (
    module     TEXT NOT NULL,
    scope      TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (module, scope, key)
);
