//! Sending a message, regenerating the last answer and editing a user message: each
//! stores what the user sent, then streams the answer (`text/event-stream`).

use app::chat_api::{Regenerate, SendMessage};
use axum::{
    body::Bytes,
    extract::State,
    response::{IntoResponse, Response},
};
use gantry_sdk::{ApiError, ClientAddress, CurrentUser, Json, Path};

use std::sync::Arc;

use super::optional_json;
use crate::{
    chat::{
        answer, conversations,
        error::ChatError,
        messages::{self, Status},
        turn, ChatState,
    },
    db::Db,
    modules::ModuleRegistry,
};

/// `POST /api/chat/conversations/{id}/messages {"content", "model"?}`.
pub async fn send_message(
    State(db): State<Db>,
    State(chat): State<ChatState>,
    State(modules): State<Arc<ModuleRegistry>>,
    user: CurrentUser,
    address: ClientAddress,
    Path(id): Path<String>,
    Json(send): Json<SendMessage>,
) -> Result<Response, ApiError> {
    let content = turn::check_content(&send.content)?;
    let conversation = conversations::get(&db, &user.id, &id).await?;
    // Chosen before anything is stored: an unknown model changes nothing.
    let chosen = turn::choose(&chat, &db, &user.id, &conversation, send.model.as_deref()).await?;
    let mut writes = db.begin_write().await.map_err(ChatError::from)?;
    messages::insert(
        &mut *writes,
        &id,
        "user",
        content,
        Status::Complete,
        None,
        None,
    )
    .await?;
    conversations::touch_after_message(&mut *writes, &id, content).await?;
    let job = turn::begin(
        (&chat, &modules),
        &db,
        writes,
        (&user, &address, &conversation),
        chosen,
    )
    .await?;
    Ok(answer::stream(job).into_response())
}

/// `POST /api/chat/conversations/{id}/regenerate {"model"?}`: replaces the last
/// answer (or answers the last message when its answer is missing).
pub async fn regenerate(
    State(db): State<Db>,
    State(chat): State<ChatState>,
    State(modules): State<Arc<ModuleRegistry>>,
    user: CurrentUser,
    address: ClientAddress,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: Regenerate = optional_json(&body)?;
    let conversation = conversations::get(&db, &user.id, &id).await?;
    let stored = messages::list(&db.pool, &id).await?;
    let last_user = match stored.as_slice() {
        [.., question, answer] if question.role == "user" && answer.role == "assistant" => {
            Some((question, Some(answer)))
        }
        [.., question] if question.role == "user" => Some((question, None)),
        _ => None,
    };
    let Some((_, old_answer)) = last_user else {
        return Err(ChatError::NothingToRegenerate.into());
    };
    let chosen = turn::choose(
        &chat,
        &db,
        &user.id,
        &conversation,
        request.model.as_deref(),
    )
    .await?;
    let mut writes = db.begin_write().await.map_err(ChatError::from)?;
    if let Some(old) = old_answer {
        messages::delete(&mut *writes, &old.id).await?;
    }
    conversations::touch(&mut *writes, &id).await?;
    let job = turn::begin(
        (&chat, &modules),
        &db,
        writes,
        (&user, &address, &conversation),
        chosen,
    )
    .await?;
    Ok(answer::stream(job).into_response())
}

/// `POST /api/chat/conversations/{id}/messages/{message_id}/edit {"content",
/// "model"?}`: changes a user message, drops every message after it, and answers
/// it again.
pub async fn edit_message(
    State(db): State<Db>,
    State(chat): State<ChatState>,
    State(modules): State<Arc<ModuleRegistry>>,
    user: CurrentUser,
    address: ClientAddress,
    Path((id, message_id)): Path<(String, String)>,
    Json(send): Json<SendMessage>,
) -> Result<Response, ApiError> {
    let content = turn::check_content(&send.content)?;
    let conversation = conversations::get(&db, &user.id, &id).await?;
    let stored = messages::list(&db.pool, &id).await?;
    let target = stored
        .iter()
        .find(|m| m.id == message_id)
        .ok_or_else(|| ChatError::MessageNotFound(message_id.clone()))?;
    if target.role != "user" {
        return Err(ChatError::NotUserMessage(message_id).into());
    }
    let chosen = turn::choose(&chat, &db, &user.id, &conversation, send.model.as_deref()).await?;
    let mut writes = db.begin_write().await.map_err(ChatError::from)?;
    messages::set_content(&mut *writes, &message_id, content).await?;
    messages::delete_after(&mut *writes, &id, &message_id).await?;
    conversations::touch(&mut *writes, &id).await?;
    let job = turn::begin(
        (&chat, &modules),
        &db,
        writes,
        (&user, &address, &conversation),
        chosen,
    )
    .await?;
    Ok(answer::stream(job).into_response())
}

/// `POST /api/chat/tool-calls/{id}/confirm {"approve"}`: the user's answer to a
/// tool call of theirs waiting for it, on whichever instance streams the turn
/// (404 when none waits under that id).
pub async fn confirm_tool_call(
    State(chat): State<ChatState>,
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(answer): Json<app::chat_api::ToolConfirmation>,
) -> Result<axum::http::StatusCode, ApiError> {
    if chat
        .confirmations
        .answer(&db, &id, &user.id, answer.approve)
        .await?
    {
        Ok(axum::http::StatusCode::NO_CONTENT)
    } else {
        Err(ChatError::ToolCallNotWaiting(id).into())
    }
}
