-- The projects the Overlord watches, the tasks dispatched to them with their
-- history, shared memory, and the module's own settings.
CREATE TABLE overlord_state (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE overlord_projects (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL UNIQUE,
    location        TEXT NOT NULL DEFAULT '',
    health_url      TEXT,
    dispatch_url    TEXT,
    status          TEXT NOT NULL DEFAULT 'unknown',
    status_detail   TEXT,
    last_checked_at INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE overlord_tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  INTEGER NOT NULL REFERENCES overlord_projects (id) ON DELETE CASCADE,
    instruction TEXT NOT NULL,
    priority    INTEGER NOT NULL,
    state       TEXT NOT NULL,
    result      TEXT,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE INDEX overlord_tasks_state ON overlord_tasks (state, priority, created_at);

CREATE TABLE overlord_task_events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES overlord_tasks (id) ON DELETE CASCADE,
    at      INTEGER NOT NULL,
    state   TEXT NOT NULL,
    note    TEXT
);

CREATE INDEX overlord_task_events_task ON overlord_task_events (task_id, id);

CREATE TABLE overlord_memory (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    key            TEXT NOT NULL,
    content        TEXT NOT NULL,
    tags           TEXT NOT NULL DEFAULT '',
    source_project TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE INDEX overlord_memory_updated ON overlord_memory (updated_at);
