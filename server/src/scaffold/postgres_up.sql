-- {{display}}'s items, served by the host as the collection `items`.
CREATE TABLE {{table}}_items (
    id         BIGSERIAL PRIMARY KEY,
    title      TEXT NOT NULL,
    notes      TEXT,{{owner_column}}
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
