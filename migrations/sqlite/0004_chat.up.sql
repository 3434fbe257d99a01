-- Chat: model server connections, encrypted secrets, personas, conversations and
-- their messages, with a full-text index over titles and message contents.

-- Write-only values (API keys), sealed with the instance's secret key: hex of
-- nonce || ciphertext, with the name as associated data.
CREATE TABLE secrets (
    name       TEXT PRIMARY KEY NOT NULL,
    sealed     TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- OpenAI-compatible model servers. The API key is the secret `llm_connection.<id>.api_key`.
CREATE TABLE llm_connections (
    id             TEXT PRIMARY KEY NOT NULL,
    name           TEXT NOT NULL UNIQUE,
    base_url       TEXT NOT NULL,
    context_tokens INTEGER NOT NULL DEFAULT 8192,
    timeout_secs   INTEGER NOT NULL DEFAULT 120,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
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
    temperature   REAL,
    model         TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE INDEX chat_personas_owner ON chat_personas (owner_id);

CREATE TABLE chat_conversations (
    id                TEXT PRIMARY KEY NOT NULL,
    user_id           TEXT NOT NULL,
    title             TEXT NOT NULL,
    title_set_by_user INTEGER NOT NULL DEFAULT 0,
    pinned            INTEGER NOT NULL DEFAULT 0,
    model             TEXT,
    persona_id        TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE INDEX chat_conversations_user ON chat_conversations (user_id, updated_at);

-- `seq` orders messages; `status` is complete, streaming (being written), stopped or failed.
CREATE TABLE chat_messages (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT NOT NULL UNIQUE,
    conversation_id   TEXT NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
    role              TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('complete', 'streaming', 'stopped', 'failed')),
    model             TEXT,
    error             TEXT,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    duration_ms       INTEGER,
    created_at        INTEGER NOT NULL
);

CREATE INDEX chat_messages_conversation ON chat_messages (conversation_id, seq);

CREATE VIRTUAL TABLE chat_messages_fts USING fts5(
    content, content = 'chat_messages', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER chat_messages_fts_insert AFTER INSERT ON chat_messages BEGIN
    INSERT INTO chat_messages_fts (rowid, content) VALUES (new.seq, new.content);
END;

CREATE TRIGGER chat_messages_fts_delete AFTER DELETE ON chat_messages BEGIN
    INSERT INTO chat_messages_fts (chat_messages_fts, rowid, content) VALUES ('delete', old.seq, old.content);
END;

CREATE TRIGGER chat_messages_fts_update AFTER UPDATE OF content ON chat_messages BEGIN
    INSERT INTO chat_messages_fts (chat_messages_fts, rowid, content) VALUES ('delete', old.seq, old.content);
    INSERT INTO chat_messages_fts (rowid, content) VALUES (new.seq, new.content);
END;

CREATE VIRTUAL TABLE chat_conversations_fts USING fts5(
    title, content = 'chat_conversations', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER chat_conversations_fts_insert AFTER INSERT ON chat_conversations BEGIN
    INSERT INTO chat_conversations_fts (rowid, title) VALUES (new.rowid, new.title);
END;

CREATE TRIGGER chat_conversations_fts_delete AFTER DELETE ON chat_conversations BEGIN
    INSERT INTO chat_conversations_fts (chat_conversations_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
END;

CREATE TRIGGER chat_conversations_fts_update AFTER UPDATE OF title ON chat_conversations BEGIN
    INSERT INTO chat_conversations_fts (chat_conversations_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
    INSERT INTO chat_conversations_fts (rowid, title) VALUES (new.rowid, new.title);
END;
