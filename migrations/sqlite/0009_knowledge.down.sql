ALTER TABLE chat_messages DROP COLUMN sources;
DROP TABLE chat_knowledge;
DROP TABLE knowledge_chunks_fts;
DROP TABLE knowledge_chunks;
DROP TABLE knowledge_originals;
DROP TABLE knowledge_documents;
DROP TABLE knowledge_collections;
