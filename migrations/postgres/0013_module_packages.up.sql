-- Drop-in modules installed from an archive (Admin → Modules → Install): the archive
-- as uploaded, so that every instance on this database unpacks and runs the module
-- too (server/src/modules/packages.rs), and an instance started with an empty modules
-- folder gets it back. The row goes when the module is removed.
CREATE TABLE module_packages (
    module       TEXT PRIMARY KEY,
    digest       TEXT NOT NULL,
    archive      BYTEA NOT NULL,
    installed_at BIGINT NOT NULL
);
