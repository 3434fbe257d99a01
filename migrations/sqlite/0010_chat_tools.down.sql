ALTER TABLE chat_messages DROP COLUMN tool_calls;
ALTER TABLE chat_conversations DROP COLUMN tools;
