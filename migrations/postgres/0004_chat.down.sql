DROP TABLE chat_messages;
DROP TABLE chat_conversations;
DROP TABLE chat_personas;
DROP TABLE llm_disabled_models;
DROP TABLE llm_connections;
DROP TABLE secrets;
