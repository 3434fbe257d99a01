-- A `confirm` tool call waiting for its user's OK: asked by the instance streaming
-- the turn, answered through whichever instance the user's request reaches
-- (server/src/chat/confirmations.rs). `answer` is NULL until answered, then 1
-- (run it) or 0 (declined); the row goes when the turn stops waiting. `user_id` is
-- not a foreign key: development users have no account row.
CREATE TABLE chat_tool_questions (
    call_id  TEXT PRIMARY KEY NOT NULL,
    user_id  TEXT NOT NULL,
    answer   BIGINT,
    asked_at BIGINT NOT NULL
);
