//! `/api/admin/llm/…`: Admin → Models: model server connections (the API key is
//! write-only), each one's models with reachability, which models users may pick,
//! and the default model. Administrators only; every change is audited.

use app::chat_api::{Connection, ConnectionInput, ConnectionStatuses, ModelSettings};
use axum::{extract::State, http::StatusCode};
use gantry_sdk::{ApiError, Json, Path, RequireAdmin};

use crate::{
    accounts::Acting,
    chat::{connections, ChatState},
    db::Db,
};

/// `GET /api/admin/llm/connections`: every connection with its models or the
/// reason they could not be listed.
pub async fn list_connections(
    State(db): State<Db>,
    State(chat): State<ChatState>,
    _admin: RequireAdmin,
) -> Result<Json<ConnectionStatuses>, ApiError> {
    Ok(Json(ConnectionStatuses {
        connections: chat.catalog.statuses(&db, &chat.secrets).await?,
        default_model: connections::default_model(&db).await?,
    }))
}

/// `POST /api/admin/llm/connections {"name", "base_url", "api_key"?, …}`.
pub async fn create_connection(
    State(db): State<Db>,
    State(chat): State<ChatState>,
    _admin: RequireAdmin,
    acting: Acting,
    Json(input): Json<ConnectionInput>,
) -> Result<(StatusCode, Json<Connection>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(connections::create(&db, &chat.secrets, &input, &acting).await?),
    ))
}

/// `PATCH /api/admin/llm/connections/{id}`.
pub async fn update_connection(
    State(db): State<Db>,
    State(chat): State<ChatState>,
    _admin: RequireAdmin,
    acting: Acting,
    Path(id): Path<String>,
    Json(input): Json<ConnectionInput>,
) -> Result<Json<Connection>, ApiError> {
    let res = connections::update(&db, &chat.secrets, &id, &input, &acting).await?;
    chat.catalog.forget(&id);
    Ok(Json(res))
}

/// `DELETE /api/admin/llm/connections/{id}`.
pub async fn delete_connection(
    State(db): State<Db>,
    State(chat): State<ChatState>,
    _admin: RequireAdmin,
    acting: Acting,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    connections::delete(&db, &id, &acting).await?;
    chat.catalog.forget(&id);
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/admin/llm/models/{*model} {"enabled"?, "default"?}`.
pub async fn update_model(
    State(db): State<Db>,
    _admin: RequireAdmin,
    acting: Acting,
    Path(model): Path<String>,
    Json(settings): Json<ModelSettings>,
) -> Result<StatusCode, ApiError> {
    let mut changes = Vec::new();
    if let Some(enabled) = settings.enabled {
        connections::set_enabled(&db, &model, enabled).await?;
        changes.push(if enabled {
            "offered to users"
        } else {
            "not offered to users"
        });
    }
    match settings.default {
        Some(true) => {
            connections::set_default_model(&db, Some(&model)).await?;
            changes.push("made the default");
        }
        Some(false) if connections::default_model(&db).await?.as_deref() == Some(&model) => {
            connections::set_default_model(&db, None).await?;
            changes.push("no longer the default");
        }
        _ => {}
    }
    connections::audit_model_change(&db, &acting, &model, changes.join(", ")).await;
    Ok(StatusCode::NO_CONTENT)
}
