-- The Knowledge Vault: collections of documents, their originals, and the chunks
-- their text is split into, with a full-text index over the chunks.

-- `owner_id` NULL is a shared collection (everyone reads it, administrators manage it).
CREATE TABLE knowledge_collections (
    id          TEXT PRIMARY KEY NOT NULL,
    owner_id    TEXT,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE INDEX knowledge_collections_owner ON knowledge_collections (owner_id);

-- `status` is processing (waiting or being ingested; `stage` says which step),
-- ready or failed (`error` says why). A worker holds a document while `lease_until`
-- (Unix seconds) is in the future; `attempts` counts the times one was taken.
CREATE TABLE knowledge_documents (
    id            TEXT PRIMARY KEY NOT NULL,
    collection_id TEXT NOT NULL REFERENCES knowledge_collections (id) ON DELETE CASCADE,
    filename      TEXT NOT NULL,
    format        TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    content_hash  TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('processing', 'ready', 'failed')),
    stage         TEXT,
    error         TEXT,
    page_count    BIGINT,
    chunk_count   BIGINT NOT NULL DEFAULT 0,
    attempts      BIGINT NOT NULL DEFAULT 0,
    lease_until   BIGINT,
    uploaded_by   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (collection_id, content_hash)
);

CREATE INDEX knowledge_documents_status ON knowledge_documents (status, created_at);

-- The uploaded bytes, kept for download and for ingesting again.
CREATE TABLE knowledge_originals (
    document_id TEXT PRIMARY KEY NOT NULL REFERENCES knowledge_documents (id) ON DELETE CASCADE,
    content     BYTEA NOT NULL
);

-- `position` orders a document's chunks from 0; `heading` is the section it is in,
-- `page` the PDF page it starts on. `embedding` is its vector (little-endian f32s)
-- by `embedding_model` (`<connection>/<model>`), searched exactly (no pgvector).
CREATE TABLE knowledge_chunks (
    seq             BIGSERIAL PRIMARY KEY,
    document_id     TEXT NOT NULL REFERENCES knowledge_documents (id) ON DELETE CASCADE,
    position        BIGINT NOT NULL,
    heading         TEXT,
    page            BIGINT,
    content         TEXT NOT NULL,
    content_tsv     tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
    embedding       BYTEA,
    embedding_model TEXT
);

CREATE INDEX knowledge_chunks_document ON knowledge_chunks (document_id, position);
CREATE INDEX knowledge_chunks_content_tsv ON knowledge_chunks USING GIN (content_tsv);

-- A conversation's knowledge: the collections or single documents its answers
-- draw on (one of the two per row).
CREATE TABLE chat_knowledge (
    conversation_id TEXT NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
    collection_id   TEXT REFERENCES knowledge_collections (id) ON DELETE CASCADE,
    document_id     TEXT REFERENCES knowledge_documents (id) ON DELETE CASCADE,
    CHECK ((collection_id IS NULL) <> (document_id IS NULL))
);

CREATE INDEX chat_knowledge_conversation ON chat_knowledge (conversation_id);

-- The passages an answer was given (a JSON array), shown as its sources.
ALTER TABLE chat_messages ADD COLUMN sources TEXT;
