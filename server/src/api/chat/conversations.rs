//! `/api/chat/conversations…` (list, create, read, change, delete, export) and
//! `/api/chat/search`: the signed-in user's own conversations only.

use app::chat_api::{
    Conversation, ConversationDetail, ConversationList, ConversationUpdate, NewConversation,
    SearchResults,
};
use axum::{
    body::Bytes,
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use gantry_sdk::{ApiError, CurrentUser, Json, Path, Query};
use serde::Deserialize;

use std::sync::Arc;

use super::optional_json;
use crate::{
    chat::{conversations, export, messages, search, tools},
    db::Db,
    modules::ModuleRegistry,
};

/// `GET /api/chat/conversations`: pinned first, then the most recently updated.
pub async fn list_conversations(
    State(db): State<Db>,
    user: CurrentUser,
) -> Result<Json<ConversationList>, ApiError> {
    Ok(Json(ConversationList {
        conversations: conversations::list(&db, &user.id).await?,
    }))
}

/// `POST /api/chat/conversations` with an optional `{"model", "persona_id"}`.
pub async fn create_conversation(
    State(db): State<Db>,
    State(modules): State<Arc<ModuleRegistry>>,
    user: CurrentUser,
    body: Bytes,
) -> Result<(StatusCode, Json<Conversation>), ApiError> {
    let new: NewConversation = optional_json(&body)?;
    tools::check_choice(&modules, &user, &new.tools, &[])?;
    Ok((
        StatusCode::CREATED,
        Json(conversations::create(&db, &user, &new).await?),
    ))
}

/// `GET /api/chat/conversations/{id}`: the conversation and its messages.
pub async fn get_conversation(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<ConversationDetail>, ApiError> {
    Ok(Json(detail(&db, &user, &id).await?))
}

async fn detail(db: &Db, user: &CurrentUser, id: &str) -> Result<ConversationDetail, ApiError> {
    let conversation = conversations::get(db, &user.id, id).await?;
    let messages = messages::list(&db.pool, id)
        .await?
        .into_iter()
        .map(messages::rendered)
        .collect();
    Ok(ConversationDetail {
        conversation,
        messages,
    })
}

/// `PATCH /api/chat/conversations/{id}`: title, pinned, model, persona, knowledge,
/// tools.
pub async fn update_conversation(
    State(db): State<Db>,
    State(modules): State<Arc<ModuleRegistry>>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(update): Json<ConversationUpdate>,
) -> Result<Json<Conversation>, ApiError> {
    if let Some(chosen) = &update.tools {
        let current = conversations::get(&db, &user.id, &id).await?;
        tools::check_choice(&modules, &user, chosen, &current.tools)?;
    }
    Ok(Json(conversations::update(&db, &user, &id, &update).await?))
}

/// `DELETE /api/chat/conversations/{id}`: with its messages.
pub async fn delete_conversation(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    conversations::delete(&db, &user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The query of an export.
#[derive(Deserialize)]
pub struct ExportQuery {
    /// `md` (the default) or `json`.
    #[serde(default)]
    format: Option<export::Format>,
}

/// `GET /api/chat/conversations/{id}/export?format=md|json`: a download.
pub async fn export_conversation(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let detail = detail(&db, &user, &id).await?;
    let format = query.format.unwrap_or(export::Format::Md);
    let (name, content_type) = export::file_name(&detail, format);
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        export::render(&detail, format),
    )
        .into_response())
}

/// The query of a search.
#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// `GET /api/chat/search?q=`: at most 20 hits in the user's own titles and
/// messages, newest first.
pub async fn search_conversations(
    State(db): State<Db>,
    user: CurrentUser,
    Query(query): Query<SearchQuery>,
) -> Result<Json<SearchResults>, ApiError> {
    Ok(Json(SearchResults {
        results: search::search(&db, &user.id, &query.q).await?,
    }))
}
