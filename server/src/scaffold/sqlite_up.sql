-- {{display}}'s items, served by the host as the collection `items`.
CREATE TABLE {{table}}_items (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT NOT NULL,
    notes      TEXT,{{owner_column}}
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
