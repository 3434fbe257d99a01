DROP TABLE chat_tool_questions;
