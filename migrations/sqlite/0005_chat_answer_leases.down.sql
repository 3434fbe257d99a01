ALTER TABLE chat_messages DROP COLUMN lease_until;
