-- An answer being written is leased to the instance writing it, renewed as it
-- arrives: a starting instance fails only answers whose lease ran out.
ALTER TABLE chat_messages ADD COLUMN lease_until BIGINT;
