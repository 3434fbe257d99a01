-- Module tools in Chat: the tools a conversation offers its model, and the calls an
-- answer made.
ALTER TABLE chat_conversations ADD COLUMN tools TEXT;
ALTER TABLE chat_messages ADD COLUMN tool_calls TEXT;
