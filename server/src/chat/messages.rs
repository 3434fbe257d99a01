//! Messages (`chat_messages`) in their conversation's order (`seq`).

use app::chat_api::{ChatMessage, Usage};
use sqlx::{
    any::{AnyExecutor, AnyRow},
    AssertSqlSafe, Row,
};

use super::{error::ChatError, markdown};
use crate::{
    accounts::{now, random_hex},
    db::Db,
};

/// How an assistant message ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Complete,
    Streaming,
    Stopped,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::Streaming => "streaming",
            Status::Stopped => "stopped",
            Status::Failed => "failed",
        }
    }
}

const COLUMNS: &str = "id, role, content, status, model, error, prompt_tokens, completion_tokens, \
                       duration_ms, created_at, sources, tool_calls";

fn message(row: &AnyRow) -> Result<ChatMessage, sqlx::Error> {
    let role: String = row.try_get("role")?;
    let content: String = row.try_get("content")?;
    let prompt: Option<i64> = row.try_get("prompt_tokens")?;
    let completion: Option<i64> = row.try_get("completion_tokens")?;
    Ok(ChatMessage {
        id: row.try_get("id")?,
        html: None,
        role,
        content,
        model: row.try_get("model")?,
        created_at: row.try_get("created_at")?,
        status: row.try_get("status")?,
        usage: prompt
            .zip(completion)
            .map(|(prompt_tokens, completion_tokens)| Usage {
                prompt_tokens,
                completion_tokens,
            }),
        duration_ms: row.try_get("duration_ms")?,
        error: row.try_get("error")?,
        // Written by `set_sources` only, so always an array of passages.
        sources: row
            .try_get::<Option<String>, _>("sources")?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default(),
        // Written by `set_tool_calls` only.
        tool_calls: row
            .try_get::<Option<String>, _>("tool_calls")?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default(),
    })
}

/// `message` with its answer rendered for the page (user messages are shown as
/// typed). Only what is shown is rendered: the history sent to a model is not.
pub fn rendered(mut message: ChatMessage) -> ChatMessage {
    if message.role == "assistant" {
        message.html = Some(markdown::to_html_citing(&message.content, &message.sources));
    }
    message
}

/// The conversation's messages, oldest first, as stored (not rendered).
pub async fn list<'c>(
    db: impl AnyExecutor<'c>,
    conversation_id: &str,
) -> Result<Vec<ChatMessage>, ChatError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM chat_messages WHERE conversation_id = $1 ORDER BY seq"
    )))
    .bind(conversation_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(message).collect::<Result<_, _>>()?)
}

/// One message by id, rendered.
pub async fn get(db: &Db, id: &str) -> Result<ChatMessage, ChatError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM chat_messages WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    match row {
        Some(row) => Ok(rendered(message(&row)?)),
        None => Err(ChatError::MessageNotFound(id.to_owned())),
    }
}

/// How much longer than its model server's idle timeout an answer's lease lasts.
const LEASE_MARGIN_SECS: i64 = 60;

/// The lease of an answer from `server` that is being written now: the answer
/// fails by itself once the server is silent for its idle timeout.
pub fn lease_until(server: &super::model_client::ModelServer) -> i64 {
    now()
        + i64::try_from(server.idle_timeout().as_secs()).unwrap_or(i64::MAX / 4)
        + LEASE_MARGIN_SECS
}

/// Appends a message (an answer being written with its lease, in Unix seconds);
/// returns its id.
pub async fn insert<'c>(
    db: impl AnyExecutor<'c>,
    conversation_id: &str,
    role: &str,
    content: &str,
    status: Status,
    model: Option<&str>,
    lease_until: Option<i64>,
) -> Result<String, ChatError> {
    let id = random_hex(12);
    sqlx::query(
        "INSERT INTO chat_messages (id, conversation_id, role, content, status, model, created_at, \
         lease_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(conversation_id)
    .bind(role)
    .bind(content)
    .bind(status.as_str())
    .bind(model)
    .bind(now())
    .bind(lease_until)
    .execute(db)
    .await?;
    Ok(id)
}

/// Keeps the passages an answer is given with it.
pub async fn set_sources<'c>(
    db: impl AnyExecutor<'c>,
    id: &str,
    sources: &[app::knowledge_api::Passage],
) -> Result<(), ChatError> {
    let json = serde_json::to_string(sources).expect("passages serialize");
    sqlx::query("UPDATE chat_messages SET sources = $1 WHERE id = $2")
        .bind(json)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Keeps the tool calls made while writing an answer with it.
pub async fn set_tool_calls<'c>(
    db: impl AnyExecutor<'c>,
    id: &str,
    calls: &[app::chat_api::ToolCall],
) -> Result<(), ChatError> {
    let json = serde_json::to_string(calls).expect("tool calls serialize");
    sqlx::query("UPDATE chat_messages SET tool_calls = $1 WHERE id = $2")
        .bind(json)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Replaces a user message's text.
pub async fn set_content<'c>(
    db: impl AnyExecutor<'c>,
    id: &str,
    content: &str,
) -> Result<(), ChatError> {
    sqlx::query("UPDATE chat_messages SET content = $1 WHERE id = $2")
        .bind(content)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Saves what has arrived of an answer so far, renewing its lease to
/// `lease_until`. `false` when the message is gone (its conversation was deleted).
pub async fn save_progress(
    db: &Db,
    id: &str,
    content: &str,
    lease_until: i64,
) -> Result<bool, ChatError> {
    let n = sqlx::query("UPDATE chat_messages SET content = $1, lease_until = $3 WHERE id = $2")
        .bind(content)
        .bind(id)
        .bind(lease_until)
        .execute(&db.pool)
        .await?
        .rows_affected();
    Ok(n > 0)
}

/// How an answer ended, to store.
pub struct Outcome<'a> {
    pub content: &'a str,
    pub status: Status,
    pub error: Option<&'a str>,
    pub usage: Option<Usage>,
    pub duration_ms: i64,
}

/// Stores how an answer ended. `false` when the message is gone.
pub async fn finish(db: &Db, id: &str, outcome: &Outcome<'_>) -> Result<bool, ChatError> {
    let n = sqlx::query(
        "UPDATE chat_messages SET content = $1, status = $2, error = $3, prompt_tokens = $4, \
         completion_tokens = $5, duration_ms = $6 WHERE id = $7",
    )
    .bind(outcome.content)
    .bind(outcome.status.as_str())
    .bind(outcome.error)
    .bind(outcome.usage.map(|u| u.prompt_tokens))
    .bind(outcome.usage.map(|u| u.completion_tokens))
    .bind(outcome.duration_ms)
    .bind(id)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(n > 0)
}

/// Deletes the conversation's messages after `seq_of` (the message with that id).
pub async fn delete_after<'c>(
    db: impl AnyExecutor<'c>,
    conversation_id: &str,
    message_id: &str,
) -> Result<(), ChatError> {
    sqlx::query(
        "DELETE FROM chat_messages WHERE conversation_id = $1 \
         AND seq > (SELECT seq FROM chat_messages WHERE id = $2)",
    )
    .bind(conversation_id)
    .bind(message_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes one message.
pub async fn delete<'c>(db: impl AnyExecutor<'c>, id: &str) -> Result<(), ChatError> {
    sqlx::query("DELETE FROM chat_messages WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Answers a stopped server left half-written: at start-up, every message still
/// `streaming` whose lease ran out failed (another instance is writing the rest).
pub async fn fail_interrupted(db: &Db) -> Result<u64, ChatError> {
    Ok(sqlx::query(
        "UPDATE chat_messages SET status = 'failed', error = 'the server stopped while this answer was being written' \
         WHERE status = 'streaming' AND (lease_until IS NULL OR lease_until < $1)",
    )
    .bind(now())
    .execute(&db.pool)
    .await?
    .rows_affected())
}
