-- Chat: model server connections, encrypted secrets, personas, conversations and
-- their messages, with full-text indexes (tsvector, `simple` so no language is
-- stemmed wrongly) over titles and message contents.

-- Write-only values (API keys), sealed with the instance's secret key: hex of
-- nonce || ciphertext, with the name as associated data.
CREATE TABLE secrets (
    name       TEXT PRIMARY KEY NOT NULL,
    sealed     TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- OpenAI-compatible model servers. The API key is the secret `llm_connection.<id>.api_key`.
CREATE TABLE llm_connections (
    id             TEXT PRIMARY KEY NOT NULL,
    name           TEXT NOT NULL UNIQUE,
    base_url       TEXT NOT NULL,
    context_tokens BIGINT NOT NULL DEFAULT 8192,
    timeout_secs   BIGINT NOT NULL DEFAULT 120,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- Models an administrator has turned off for users (`<connection>/<model id>`).
CREATE TABLE llm_disabled_models (
    model TEXT PRIMARY KEY NOT NULL
);

-- Personas: `owner_id` NULL is a shared one (managed by administrators).
CREATE TABLE chat_personas (
    id            TEXT PRIMARY KEY NOT NULL,
    owner_id      TEXT,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    system_prompt TEXT NOT NULL DEFAULT '',
    temperature   DOUBLE PRECISION,
    model         TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE INDEX chat_personas_owner ON chat_personas (owner_id);

CREATE TABLE chat_conversations (
    id                TEXT PRIMARY KEY NOT NULL,
    user_id           TEXT NOT NULL,
    title             TEXT NOT NULL,
    title_set_by_user BIGINT NOT NULL DEFAULT 0,
    pinned            BIGINT NOT NULL DEFAULT 0,
    model             TEXT,
    persona_id        TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    title_tsv         tsvector GENERATED ALWAYS AS (to_tsvector('simple', title)) STORED
);

CREATE INDEX chat_conversations_user ON chat_conversations (user_id, updated_at);
CREATE INDEX chat_conversations_title_tsv ON chat_conversations USING GIN (title_tsv);

-- `seq` orders messages; `status` is complete, streaming (being written), stopped or failed.
CREATE TABLE chat_messages (
    seq               BIGSERIAL PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    conversation_id   TEXT NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
    role              TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('complete', 'streaming', 'stopped', 'failed')),
    model             TEXT,
    error             TEXT,
    prompt_tokens     BIGINT,
    completion_tokens BIGINT,
    duration_ms       BIGINT,
    created_at        BIGINT NOT NULL,
    content_tsv       tsvector GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED
);

CREATE INDEX chat_messages_conversation ON chat_messages (conversation_id, seq);
CREATE INDEX chat_messages_content_tsv ON chat_messages USING GIN (content_tsv);
