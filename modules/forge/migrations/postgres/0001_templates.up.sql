-- Templates: a body with {{placeholders}}, served as the collection `templates`.
CREATE TABLE forge_templates (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT,
    language    TEXT,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

INSERT INTO forge_templates (name, description, language, body, created_at, updated_at)
VALUES ('Release note', 'A short release announcement', 'markdown',
        '## {{product}} {{version}}

{{summary}}

Thanks to everyone who helped ship {{product}}.', 0, 0);
