//! `GET /api/models`: the models a signed-in user may pick.

use app::chat_api::ModelChoices;
use axum::extract::State;
use gantry_sdk::{ApiError, CurrentUser, Json};

use crate::{chat::ChatState, db::Db};

/// `GET /api/models` → `{"models": [{"id", "name", "connection", "default"}],
/// "unavailable": [{"connection", "error"}]}`.
pub async fn list_models(
    State(db): State<Db>,
    State(chat): State<ChatState>,
    _user: CurrentUser,
) -> Result<Json<ModelChoices>, ApiError> {
    Ok(Json(chat.catalog.choices(&db, &chat.secrets).await?))
}
